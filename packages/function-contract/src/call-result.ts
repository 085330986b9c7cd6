import type { FunctionFailure, PortRecord, RecordOutcome, StateWrite, WeirRecord } from "@weir/domain";
import { jsonTextRecord } from "@weir/domain";

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

/**
 * A call's result from its text: the result's JSON, or (the guest core's, when the call output
 * JSON values) "<length>\n<values><result JSON>", where each output's `"json":[offset,length]`
 * points at its value's JSON text in `<values>`. Such an output becomes a record whose value is
 * that text, parsed only if something reads it (jsonTextRecord): most outputs are written on
 * (to a log, Kafka or the next function) without the engine ever looking inside them.
 *
 * In such a result an outcome may also be a plain array `[offset,length,…]`: a successful record
 * whose outputs all go to the default port (`"port"` of the result) with their input's key,
 * headers and timestamp, taken from `inputs` (the call's records, in order). Most functions'
 * outputs are so, and this saves the host parsing an object, an array, a record and its headers
 * for each of them.
 */
export function parseCallResult(
  text: string,
  bytes?: Uint8Array,
  inputs?: readonly WeirRecord[],
): CallResult {
  let result: CallResult;
  if (text.charCodeAt(0) === OPEN_BRACE) {
    result = JSON.parse(text) as CallResult;
  } else {
    const newline = text.indexOf("\n");
    const length = Number(text.slice(0, newline));
    if (newline < 1 || !Number.isSafeInteger(length) || newline + 1 + length > text.length)
      throw new Error(
        `the guest answered a result that is neither JSON nor framed values: ${text.slice(0, 40)}`,
      );
    const valuesAt = newline + 1;
    result = JSON.parse(text.slice(valuesAt + length)) as CallResult;
    resolveTextOutputs(result, text, valuesAt, length, inputs);
  }
  if (result.bytes !== undefined) resolveByteOutputs(result, bytes ?? new Uint8Array(0));
  return result;
}

const OPEN_BRACE = 0x7b;

/** An output record as the guest writes a JSON value apart: `json` [offset, length] instead of `value`. */
interface TextOutput {
  key: string | null;
  json?: [number, number];
  headers: Record<string, string>;
  timestamp: number;
}

/**
 * The JSON text at [at, at + size) of the result's values (V8 slices a string without copying
 * it); throws when the span is not inside them.
 */
function valueText(text: string, valuesAt: number, length: number, at: number, size: number): string {
  if (!(at >= 0 && size > 0 && at + size <= length))
    throw new Error(`the guest answered a JSON value outside its values ([${at}, ${size}])`);
  return text.slice(valuesAt + at, valuesAt + at + size);
}

/** A plain outcome's outputs: values at their spans, each with the input's key, headers and timestamp. */
function plainOutcome(
  spans: number[],
  port: string | undefined,
  input: WeirRecord | undefined,
  text: string,
  valuesAt: number,
  length: number,
): RecordOutcome {
  if (input === undefined || port === undefined)
    throw new Error("the guest answered outputs taken from an input record the call did not have");
  const outputs: PortRecord[] = [];
  for (let i = 0; i + 1 < spans.length; i += 2) {
    const json = valueText(text, valuesAt, length, spans[i] as number, spans[i + 1] as number);
    // Headers copied: each output's are its own, as when they crossed as JSON.
    const headers = { ...input.headers };
    outputs.push({ port, record: jsonTextRecord(input.key ?? null, json, headers, input.timestamp) });
  }
  return { ok: true, outputs };
}

/** Turns the guest's `"json":[offset,length]` outputs and plain outcomes into records whose value is text. */
function resolveTextOutputs(
  result: CallResult & { port?: string },
  text: string,
  valuesAt: number,
  length: number,
  inputs: readonly WeirRecord[] | undefined,
): void {
  const outcomes = result.outcomes as (RecordOutcome | number[])[];
  for (let index = 0; index < outcomes.length; index++) {
    const outcome = outcomes[index];
    if (Array.isArray(outcome)) {
      outcomes[index] = plainOutcome(outcome, result.port, inputs?.[index], text, valuesAt, length);
      continue;
    }
    if (outcome === undefined || !outcome.ok) continue;
    for (const output of outcome.outputs) {
      const record = output.record as unknown as TextOutput;
      const span = record.json;
      if (span === undefined) continue;
      const json = valueText(text, valuesAt, length, span[0], span[1]);
      output.record = jsonTextRecord(record.key, json, record.headers, record.timestamp);
    }
  }
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
