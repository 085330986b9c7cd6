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
  /** Log lines; the third element, when there, is the index of the record that wrote it. */
  logs: [LogLevel, string, number?][];
  /** Counter totals of the call's successful records. */
  counters: Record<string, number>;
  histograms: [string, number][];
  /** [outcome index, line] a component reported itself (`function-error.line`). */
  lines?: [number, number][];
  /** Set when the guest's engine ran out of memory: its state is not to be trusted. */
  fatal?: "memory";
  /** The length of the output bytes the guest holds for `take-bytes`, when outputs are bytes. */
  bytes?: number;
}

/** What loading the user's module answered. */
export type LoadResult =
  | { ok: true; mode: "handler" | "stream"; init: boolean }
  | { ok: false; message: string; stack: string | null };

export function parseCallResult(text: string, bytes?: Uint8Array): CallResult {
  const result = JSON.parse(text) as CallResult;
  if (result.bytes !== undefined) resolveByteOutputs(result, bytes ?? new Uint8Array(0));
  return result;
}

/** An output record as the guest writes a byte value: `bytes` [offset, length] instead of `value`. */
interface ByteOutput {
  value?: unknown;
  bytes?: [number, number];
}

/**
 * Turns the guest's `"bytes":[offset,length]` outputs into Uint8Array values: views of the call's
 * one output array (no copy), which must be as long as the result says.
 */
function resolveByteOutputs(result: CallResult, bytes: Uint8Array): void {
  if (bytes.byteLength !== result.bytes)
    throw new Error(`the guest answered ${bytes.byteLength} output bytes, ${result.bytes} expected`);
  for (const outcome of result.outcomes) {
    if (!outcome.ok) continue;
    for (const output of outcome.outputs) {
      const record = output.record as ByteOutput;
      const span = record.bytes;
      if (span === undefined) continue;
      const [at, length] = span;
      if (at < 0 || length < 0 || at + length > bytes.byteLength)
        throw new Error(`the guest answered a byte value outside its output bytes ([${at}, ${length}])`);
      record.value = bytes.subarray(at, at + length);
      delete record.bytes;
    }
  }
}

export function failure(message: string, line: number | undefined, instanceReset = false): FunctionFailure {
  return {
    message,
    ...(line === undefined ? {} : { line }),
    ...(instanceReset ? { instanceReset } : {}),
  };
}
