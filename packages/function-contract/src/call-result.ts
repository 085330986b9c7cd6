import type { FunctionFailure, RecordOutcome, StateWrite } from "@weir/domain";

export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * The JSON text one guest call returns (built by the guest core, src/guest/core.js, or by the
 * wasm runtime's worker from a `weir:function` component's outcomes). Outcomes are final except
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
  /** [outcome index, line] a component reported itself (`function-error.line`). */
  lines?: [number, number][];
  /** Set when the guest's engine ran out of memory: its state is not to be trusted. */
  fatal?: "memory";
}

/** What loading the user's module answered. */
export type LoadResult =
  | { ok: true; mode: "handler" | "stream"; init: boolean }
  | { ok: false; message: string; stack: string | null };

export function parseCallResult(text: string): CallResult {
  return JSON.parse(text) as CallResult;
}

export function failure(message: string, line: number | undefined, instanceReset = false): FunctionFailure {
  return {
    message,
    ...(line === undefined ? {} : { line }),
    ...(instanceReset ? { instanceReset } : {}),
  };
}
