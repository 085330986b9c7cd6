// How failures leave the API. Routers throw WeirErrors (or TRPCErrors when the HTTP meaning is
// all there is to say); toTRPCError is the one place anything else is turned into a TRPCError.
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { Prisma } from "@weir/db";
import { WeirError, formatPath, userError } from "@weir/domain";
import type { Problem, WeirErrorCode } from "@weir/domain";
import { z } from "zod";

/** A flow failed validation; `problems` locate every fault by JSON path for the editor. */
export class FlowValidationError extends WeirError {
  readonly problems: Problem[];

  constructor(problems: Problem[]) {
    const summary = problems.map((p) => `${formatPath(p.path)}: ${p.message}`).join("; ");
    super("user", "INVALID_FLOW", `invalid flow: ${summary}`, problems);
    this.name = "FlowValidationError";
    this.problems = problems;
  }
}

/**
 * A request's input breaks a limit (size, depth, a number beyond its column) or holds text that
 * Postgres cannot store; `problems` name each field and the limit. Oversized requests are
 * TOO_LARGE (413), the rest INVALID_INPUT (400).
 */
export class InputError extends WeirError {
  readonly problems: Problem[];

  constructor(problems: Problem[], code: "INVALID_INPUT" | "TOO_LARGE" = "INVALID_INPUT") {
    const summary = problems.map((p) => `${formatPath(p.path)}: ${p.message}`).join("; ");
    super("user", code, `invalid input: ${summary}`, problems);
    this.name = "InputError";
    this.problems = problems;
  }
}

export const notFound = (message: string): WeirError => userError("NOT_FOUND", message);

/** A problem as clients receive it in `error.data.problems`. */
export interface ProblemView {
  path: (string | number)[];
  pathString: string;
  message: string;
  code: string;
  /** For problems in a function's code (code `code_error`): 1-based position in that code. */
  line?: number;
  column?: number;
}

export function viewProblems(problems: readonly Problem[]): ProblemView[] {
  return problems.map((p) => ({ ...p, pathString: formatPath(p.path) }));
}

/** The problems behind a validation failure (a flow, or a procedure's input), else null. */
export function problemsOf(cause: unknown): ProblemView[] | null {
  if (cause instanceof FlowValidationError || cause instanceof InputError)
    return viewProblems(cause.problems);
  if (cause instanceof z.ZodError) return zodProblems(cause);
  return null;
}

function zodProblems(error: z.ZodError): ProblemView[] {
  return error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    return { path, pathString: formatPath(path), message: issue.message, code: "invalid_shape" };
  });
}

function trpcCodeOf(code: WeirErrorCode): TRPC_ERROR_CODE_KEY {
  switch (code) {
    case "INVALID_FLOW":
    case "INVALID_ARTIFACT":
    case "INVALID_INPUT":
    case "FUNCTION_ERROR":
    case "FUNCTION_TIMEOUT":
      return "BAD_REQUEST";
    case "TOO_LARGE":
      return "PAYLOAD_TOO_LARGE";
    case "NOT_FOUND":
      return "NOT_FOUND";
    case "CONFLICT":
      return "CONFLICT";
    case "DELIVERY_FAILED":
    case "INTERNAL":
      return "INTERNAL_SERVER_ERROR";
  }
}

function fromUnknown(cause: unknown): TRPCError {
  if (cause instanceof TRPCError) return cause;
  if (cause instanceof WeirError) {
    return new TRPCError({ code: trpcCodeOf(cause.code), message: cause.message, cause });
  }
  if (cause instanceof Prisma.PrismaClientKnownRequestError) {
    switch (cause.code) {
      case "P2025":
        return new TRPCError({ code: "NOT_FOUND", message: "record not found", cause });
      case "P2002":
      case "P2034":
        return new TRPCError({
          code: "CONFLICT",
          message: "changed concurrently by another request; retry",
          cause,
        });
    }
  }
  // The cause stays attached for the server's error log; the client learns nothing internal.
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "internal error", cause });
}

/**
 * Normalises an error that reached the procedure boundary. tRPC wraps anything that is not a
 * TRPCError as INTERNAL_SERVER_ERROR with the original as cause; those are classified here, and
 * input-validation failures get a readable message instead of zod's JSON dump.
 */
export function toTRPCError(error: TRPCError): TRPCError {
  if (error.cause instanceof z.ZodError && error.code === "BAD_REQUEST") {
    const summary = zodProblems(error.cause)
      .map((p) => `${p.pathString}: ${p.message}`)
      .join("; ");
    return new TRPCError({ code: "BAD_REQUEST", message: `invalid input: ${summary}`, cause: error.cause });
  }
  if (error.code === "INTERNAL_SERVER_ERROR" && error.cause !== undefined) return fromUnknown(error.cause);
  return error;
}
