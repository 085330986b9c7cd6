/**
 * Errors carry meaning. A user error is the user's to fix (a bad flow, bad code) and is shown
 * where it happened; a retryable error may pass if tried again (a webhook that is down); a
 * fatal error stops the work it happened in. Anything else is normalised by toWeirError once,
 * at the boundary that catches it.
 */
export type WeirErrorKind = "user" | "retryable" | "fatal";

export type WeirErrorCode =
  | "INVALID_FLOW"
  | "INVALID_ARTIFACT"
  /** A request's input breaks a limit or holds text that cannot be stored (problems say where). */
  | "INVALID_INPUT"
  /** A request is larger than its limit. */
  | "TOO_LARGE"
  | "NOT_FOUND"
  | "CONFLICT"
  | "FUNCTION_ERROR"
  | "FUNCTION_TIMEOUT"
  | "DELIVERY_FAILED"
  | "INTERNAL";

export class WeirError extends Error {
  readonly kind: WeirErrorKind;
  readonly code: WeirErrorCode;
  readonly details: unknown;

  constructor(kind: WeirErrorKind, code: WeirErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = "WeirError";
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
}

export const userError = (code: WeirErrorCode, message: string, details?: unknown): WeirError =>
  new WeirError("user", code, message, details);

export const retryableError = (code: WeirErrorCode, message: string, details?: unknown): WeirError =>
  new WeirError("retryable", code, message, details);

export function toWeirError(error: unknown): WeirError {
  if (error instanceof WeirError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new WeirError("fatal", "INTERNAL", message, error);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
