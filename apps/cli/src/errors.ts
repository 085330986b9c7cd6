// Exit codes scripts can rely on, and the one error type commands throw.

export const EXIT = {
  ok: 0,
  /** The server refused the request (4xx) or failed (5xx). */
  refused: 1,
  /** Bad usage, a bad flow file or a flow that does not validate: nothing was sent. */
  usage: 2,
  /** The server could not be reached. */
  unreachable: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure with the line to print (and any detail lines under it) and the exit code. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly details: readonly string[];

  constructor(exitCode: ExitCode, message: string, details: readonly string[] = []) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
    this.details = details;
  }
}
