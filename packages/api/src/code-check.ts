// The one place the API checks flows: the registry's rules plus a compile of every function
// node's code, so broken code can be neither saved nor deployed. Compiling (TypeScript's
// transpiler) only reads the code; the web process never runs it.
import { builtinRegistry } from "@weir/connectors/definitions";
import { validateFlow } from "@weir/domain";
import type { CodeProblem, FlowSpec, FunctionSource, ValidationResult } from "@weir/domain";
import { compile } from "@weir/runtime-js/compile";
import { FlowValidationError } from "./errors";

/** Syntax problems in one function's code, with 1-based line and column in that code. */
export function checkCode(source: FunctionSource): CodeProblem[] {
  return compile(source).problems;
}

/** Every problem of a flow, its functions' code included. */
export function checkFlow(spec: unknown): ValidationResult {
  return validateFlow(spec, builtinRegistry, { checkCode });
}

/** The parsed flow (defaults filled in), or a FlowValidationError listing every problem. */
export function validFlowOrThrow(spec: unknown): FlowSpec {
  const result = checkFlow(spec);
  if (!result.ok) throw new FlowValidationError(result.problems);
  return result.flow;
}
