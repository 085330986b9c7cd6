// The one place the API checks flows: the size limits, the registry's rules and a compile of
// every function node's code, so broken code can be neither saved nor deployed. Compiling
// (TypeScript's transpiler) only reads the code; it runs on a worker thread with a time limit,
// so a big or slow compile never stalls other requests, and only after the size limits passed.
// Given the database, registry-encoded sources are typed from their subject's schema first
// (registry-types.ts), so an edge their values cannot fit is refused at save.
import { builtinRegistry } from "@weir/connectors/definitions";
import { checkFlowLimits, validateFlow } from "@weir/domain";
import type { CodeProblem, FlowSpec, FunctionSource, Problem, ValidationResult } from "@weir/domain";
import { compileOffThread } from "@weir/function-contract/compile-off-thread";
import { NoPythonError, checkPython } from "@weir/runtime-python/check";
import type { Db } from "@weir/db";
import { FlowValidationError } from "./errors";
import { registryNotes, resolveRegistryTypes } from "./registry-types";

/** Longest one function's compile may take (code is at most LIMITS.codeBytes). */
export const COMPILE_TIMEOUT_MS = 10_000;

/**
 * Syntax problems in one function's code, with 1-based line and column in that code. Python is
 * parsed by CPython (`WEIR_PYTHON`, default /usr/bin/python3; parsing runs nothing of the code).
 * A web process without Python saves Python unchecked: the engine checks it again at deploy.
 */
export async function checkCode(source: FunctionSource): Promise<CodeProblem[]> {
  if (source.language !== "python") return compileOffThread(source, { timeoutMs: COMPILE_TIMEOUT_MS });
  try {
    return await checkPython(source.code);
  } catch (error) {
    if (error instanceof NoPythonError) return [];
    throw error;
  }
}

const sourceKey = (source: FunctionSource): string => `${source.language}\n${source.code}`;

/** The function sources a raw flow spec holds, as validateFlow will ask to check them. */
function functionSources(spec: unknown): FunctionSource[] {
  const nodes = (spec as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return [];
  const sources: FunctionSource[] = [];
  for (const node of nodes as unknown[]) {
    const config = (node as { config?: unknown } | null)?.config as
      { code?: unknown; language?: unknown } | undefined;
    if (typeof config?.code !== "string" || config.code.trim() === "") continue;
    sources.push({
      code: config.code,
      language:
        config.language === "javascript" || config.language === "python" ? config.language : "typescript",
    });
  }
  return sources;
}

/** A flow's check: its problems (none when ok) and notes that never fail it. */
export type FlowCheck = ValidationResult & {
  /** What was not checked and why (a registry lookup that was skipped): shown, never refused. */
  notes: Problem[];
};

/**
 * Every problem of a flow, its functions' code included; with `db`, also every edge the schema of
 * a registry-encoded source's subject cannot fit (a registry that does not answer types nothing,
 * and says so in `notes`).
 */
export async function checkFlow(spec: unknown, db?: Db): Promise<FlowCheck> {
  const limits = checkFlowLimits(spec);
  if (limits.length > 0) return { ok: false, problems: limits, notes: [] };
  const compiled = new Map<string, CodeProblem[]>();
  for (const source of functionSources(spec)) {
    const key = sourceKey(source);
    if (!compiled.has(key)) compiled.set(key, await checkCode(source));
  }
  const registry = db ? await resolveRegistryTypes(db, spec) : undefined;
  const result = validateFlow(spec, builtinRegistry, {
    checkCode: (source) => compiled.get(sourceKey(source)) ?? [],
    ...(registry ? { resolvedSchemas: registry.schemas } : {}),
  });
  return { ...result, notes: registry ? registryNotes(spec, registry.lookups) : [] };
}

/** The parsed flow (defaults filled in), or a FlowValidationError listing every problem. */
export async function validFlowOrThrow(spec: unknown, db?: Db): Promise<FlowSpec> {
  return (await validFlowWithNotes(spec, db)).flow;
}

/** As validFlowOrThrow, with the check's notes (for a save to return). */
export async function validFlowWithNotes(
  spec: unknown,
  db?: Db,
): Promise<{ flow: FlowSpec; notes: Problem[] }> {
  const result = await checkFlow(spec, db);
  if (!result.ok) throw new FlowValidationError(result.problems);
  return { flow: result.flow, notes: result.notes };
}
