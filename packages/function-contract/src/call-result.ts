import type { FunctionFailure, RecordOutcome, StateWrite } from "@weir/domain";
import type { LogLevel } from "./sandbox";
import { USER_FILE } from "./sandbox";

/**
 * The JSON string one sandbox call returns (built by bootstrap.js). Outcomes are final except
 * for failures, whose stacks the host turns into a line of the user's source; state writes,
 * logs and metrics are handed to the host after the call.
 */
export interface CallResult {
  outcomes: RecordOutcome[];
  /** [outcome index, stack or null] for every failed outcome. */
  failures: [number, string | null][];
  /** [outcome index, writes] for every successful record that wrote state, in record order. */
  writes: [number, StateWrite[]][];
  logs: [LogLevel, string][];
  /** Counter totals of the call's successful records. */
  counters: Record<string, number>;
  histograms: [string, number][];
}

export function parseCallResult(text: string): CallResult {
  return JSON.parse(text) as CallResult;
}

/** The first frame in the user's code, as a line of the user's source. */
export function userLine(stack: string | null, lines: ReadonlyMap<number, number>): number | undefined {
  if (stack === null) return undefined;
  const match = new RegExp(`${USER_FILE.replace(".", "\\.")}:(\\d+)`).exec(stack);
  return match?.[1] ? lines.get(Number(match[1])) : undefined;
}

export function failure(message: string, line: number | undefined, instanceReset = false): FunctionFailure {
  return {
    message,
    ...(line === undefined ? {} : { line }),
    ...(instanceReset ? { instanceReset } : {}),
  };
}
