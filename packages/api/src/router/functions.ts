import { Buffer } from "node:buffer";
import { TRPCError } from "@trpc/server";
import { LIMITS, functionConfigSchema, jsonValueSchema, portNameSchema } from "@weir/domain";
import type { JsonValue, WeirRecord } from "@weir/domain";
import { z } from "zod";
import { checkCode } from "../code-check";
import { InputError, notFound } from "../errors";
import { postToEngine, requireLiveEngine } from "../engine-client";
import { createTRPCRouter, editorProcedure } from "../trpc";

const config = functionConfigSchema.shape;

/** A test record; the engine fills in what is left out (key null, no headers, now). */
const triggerRecord = z.object({
  value: jsonValueSchema,
  key: z.string().max(1000, "must be at most 1000 characters").nullable().optional(),
  headers: z.record(z.string().max(256), z.string().max(8192)).optional(),
  timestamp: z.number().int().nonnegative().optional(),
});

// The same limits as a function node's config, so what can be tried can also be deployed.
const triggerInput = z
  .object({
    runtime: config.runtime.unwrap().optional(),
    code: config.code.unwrap().optional(),
    /** With runtime "wasm": an uploaded component to run instead of code. */
    artifact: config.artifact,
    language: config.language.unwrap().optional(),
    params: z.record(z.string(), jsonValueSchema).optional(),
    ports: z.array(portNameSchema).min(1).max(100).optional(),
    /** Names only: the engine resolves them, so values never pass through the web process. */
    secrets: config.secrets.unwrap().optional(),
    /** With runtime "python": packages installed (once, cached) before the code runs. */
    requirements: config.requirements.unwrap().optional(),
    timeoutMs: config.timeoutMs.unwrap().optional(),
    memoryLimitMb: config.memoryLimitMb.unwrap().optional(),
    records: z.array(triggerRecord).min(1).max(1000),
  })
  .superRefine((input, ctx) => {
    // Only an explicit mismatch: either one alone says Python (see withPythonDefaults).
    const { runtime, language } = withPythonDefaults(input);
    if ((runtime === "python") !== (language === "python")) {
      ctx.addIssue({
        code: "custom",
        path: ["language"],
        message: "Python code runs with runtime 'python', and runtime 'python' runs Python code",
      });
    }
    const hasCode = (input.code ?? "").trim() !== "";
    if (input.artifact !== undefined) {
      if (input.runtime !== "wasm") {
        ctx.addIssue({
          code: "custom",
          path: ["artifact"],
          message: "an artifact runs only with runtime 'wasm'",
        });
      }
      if (hasCode) {
        ctx.addIssue({
          code: "custom",
          path: ["artifact"],
          message: "give either code or an artifact, not both",
        });
      }
    } else if (!hasCode) {
      ctx.addIssue({ code: "custom", path: ["code"], message: "function has no code" });
    }
  });

/** A line the function wrote with ctx.log while it ran. */
export interface TriggerLogLine {
  level: string;
  message: string;
}

/**
 * What an engine's `POST /trigger` answers (see apps/engine/src/trigger.ts), passed on as it
 * came; only `ok` is checked here. Code that does not compile is `ok: false` with problems, the
 * same whether the API or the engine found them.
 */
export type TriggerResult =
  | {
      ok: true;
      /** One per input record, in order: the records it produced per port, or why it failed. */
      /** Records as the engine's JSON answer has them: values are JSON. */
      results: {
        outputs: Record<string, (Omit<WeirRecord, "value"> & { value: JsonValue })[]>;
        error: { message: string; line?: number } | null;
      }[];
      logs: TriggerLogLine[];
      /** The state the run left behind (trigger state is throwaway, never stored). */
      state: Record<string, JsonValue>;
      metrics: { counters: Record<string, number>; histograms: Record<string, number[]> };
      timing: { instanceMs: number; processMs: number; perRecordUs: number };
    }
  | { ok: false; problems: { message: string; line?: number; column?: number }[]; logs: TriggerLogLine[] };

function isTriggerResult(json: unknown): json is TriggerResult {
  return typeof json === "object" && json !== null && typeof (json as { ok?: unknown }).ok === "boolean";
}

/** Runtime "python" alone means Python code, and language "python" alone the python runtime. */
function withPythonDefaults<T extends { runtime?: string | undefined; language?: string | undefined }>(
  input: T,
): T {
  if (input.runtime === "python" && input.language === undefined) return { ...input, language: "python" };
  if (input.language === "python" && input.runtime === undefined) return { ...input, runtime: "python" };
  return input;
}

export const functionsRouter = createTRPCRouter({
  /**
   * Runs code on test records without deploying anything. The web process never runs user code:
   * the code is compiled here (so syntax problems come back without an engine) and then sent to
   * the live engine that reported last.
   */
  trigger: editorProcedure
    .input(triggerInput)
    .mutation(async ({ ctx, input: given }): Promise<TriggerResult> => {
      const input = withPythonDefaults(given);
      if (input.artifact !== undefined) {
        const stored = await ctx.db.wasmArtifact.count({ where: { sha256: input.artifact } });
        if (stored === 0) throw notFound(`artifact ${input.artifact} not found`);
      } else {
        const code = input.code ?? "";
        if (Buffer.byteLength(code, "utf8") > LIMITS.codeBytes) {
          throw new InputError([
            {
              path: ["code"],
              message: `code is larger than the limit of ${LIMITS.codeBytes} bytes (${LIMITS.codeBytes / 1024} KiB)`,
              code: "too_large",
            },
          ]);
        }
        const problems = await checkCode({
          code: input.code ?? "",
          language: input.language ?? "typescript",
        });
        if (problems.length > 0) return { ok: false, problems, logs: [] };
      }
      const engine = await requireLiveEngine(ctx.db);
      const answer = await postToEngine(engine, "/trigger", input, ctx.engineTimeoutMs);
      if (!isTriggerResult(answer)) {
        throw new TRPCError({
          code: "BAD_GATEWAY",
          message: `engine ${engine.id} answered /trigger without an 'ok' field`,
        });
      }
      return answer;
    }),
});
