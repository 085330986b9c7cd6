import type { WeirRecord } from "./record";

// A record whose JSON value is still the text a function's sandbox wrote. Every value a function
// outputs crosses out of its sandbox as JSON text; parsing it at once, only for the log sink, the
// Kafka producer or the next function's sandbox to write the same text again, was a fifth of
// the `js` runtime's cost per record. So the text is kept, and parsed the first time anyone reads
// `value`; `jsonTextOf` hands the untouched text to those who would only write it again.
//
// The record is a plain object (Object.prototype, key / value / headers / timestamp in that
// order) whose `value` is an own enumerable accessor, so spreading it, JSON.stringify, structured
// clone and deep equality all see the value. Once `value` has been read the text is dropped: the
// caller may have changed the parsed value in place, and the text would then be stale.

const STATE: unique symbol = Symbol("weir json text");

interface TextState {
  /** The value's JSON text, until the value is first read or set. */
  text: string | undefined;
  value: unknown;
}

interface TextRecord {
  [STATE]: TextState;
}

function valueOf(this: TextRecord): unknown {
  const state = this[STATE];
  if (state.text !== undefined) {
    state.value = JSON.parse(state.text);
    state.text = undefined;
  }
  return state.value;
}

function setValue(this: TextRecord, value: unknown): void {
  const state = this[STATE];
  state.text = undefined;
  state.value = value;
}

// One accessor pair for every such record, so that they all share one hidden class. Not
// configurable: `value` can be read and assigned, never redefined or deleted behind the text.
const VALUE: PropertyDescriptor = { get: valueOf, set: setValue, enumerable: true, configurable: false };

/**
 * A record with `text` (one JSON value, as JSON.stringify writes it) as its value, parsed on the
 * first read of `value`. The text must be valid JSON: it is not checked here.
 */
export function jsonTextRecord(
  key: string | null,
  text: string,
  headers: Record<string, string>,
  timestamp: number,
): WeirRecord {
  const record = { key } as Partial<WeirRecord>;
  Object.defineProperty(record, "value", VALUE);
  record.headers = headers;
  record.timestamp = timestamp;
  Object.defineProperty(record, STATE, { value: { text, value: undefined } satisfies TextState });
  return record as WeirRecord;
}

/**
 * The JSON text of a record's value when it is one made by jsonTextRecord whose value nobody has
 * read or set; otherwise undefined (then encode `record.value` as usual).
 */
export function jsonTextOf(record: WeirRecord): string | undefined {
  const state = (record as Partial<TextRecord>)[STATE];
  return state === undefined ? undefined : state.text;
}

/** The record with other headers; a value still in text stays in text (a spread would parse it). */
export function withHeaders(record: WeirRecord, headers: Record<string, string>): WeirRecord {
  const text = jsonTextOf(record);
  if (text !== undefined) return jsonTextRecord(record.key, text, headers, record.timestamp);
  return { ...record, headers };
}
