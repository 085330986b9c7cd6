/**
 * The contract of a Weir function, as the `js` runtime runs it: an ES module (TypeScript or
 * JavaScript) exporting a per-record handler, or an ordered stream handler, and optionally an
 * init hook. The code runs in its own sandbox: there is no `process`, `require`, `import`, file
 * system, network or timer; everything a function can reach comes through `ctx`.
 *
 * In the editor this file is the module `@weir/function`, so code may write
 * `import type { Handler } from "@weir/function";` (type-only imports are erased and allowed;
 * any other import is an error).
 *
 * @example
 * import type { Handler, Init } from "@weir/function";
 *
 * let threshold = 0;
 * export const init: Init<{ threshold: number }> = async (ctx) => {
 *   threshold = ctx.params.threshold;
 * };
 *
 * const handle: Handler<{ amount: number }> = async (record, ctx) => {
 *   if (record.value.amount > threshold) ctx.emit("alerts", { value: record.value });
 *   return { value: { ...record.value, checked: true } };
 * };
 * export default handle;
 */

/** Any value JSON can carry. Record values, state values and params are JSON. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * A record's value: JSON, or bytes (a `Uint8Array`: a chunk of an upload, a block of a file).
 * Byte values cross into the function and out of it as bytes, never as text.
 */
export type RecordValue = JsonValue | Uint8Array;

/** A record as the function receives it (`WeirRecord<Uint8Array>` for a byte stream's chunks). */
export interface WeirRecord<Value = JsonValue> {
  /** Partitioning key: records with the same key stay in order. */
  key: string | null;
  /** The payload: JSON, or a Uint8Array when the record carries bytes. */
  value: Value;
  headers: Record<string, string>;
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
}

/**
 * A record the function sends on. Only `value` is required: an omitted key, headers or
 * timestamp is taken from the input record. Anything without a `value` is not a record, and the
 * input record fails.
 */
export interface OutputRecord<Value = JsonValue> {
  value: Value;
  key?: string | null;
  headers?: Record<string, string>;
  timestamp?: number;
}

/** What a handler returns: nothing, one record or several, all sent to the node's first port. */
export type HandlerResult<Value = JsonValue> =
  OutputRecord<Value> | readonly OutputRecord<Value>[] | null | undefined;

/** The current record's metadata (`ctx.record`). */
export interface RecordMeta {
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: number;
}

/**
 * The node's log. Arguments are joined with spaces; strings as they are, errors as
 * `Name: message`, other values as JSON. Any secret value in a line is replaced by `***`.
 * Lines written while handling a record are kept even when the record fails.
 */
export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/**
 * Durable keyed state of the node, shared by its instances. Writes are buffered per record and
 * stored only if the record succeeds, so a failed (and later retried) record never counts twice.
 * Reads see the record's own writes, then those of earlier successful records of the same
 * batch, then the store.
 */
export interface State {
  /** The stored value (a copy), or undefined. */
  get<T extends JsonValue = JsonValue>(key: string): Promise<T | undefined>;
  /** Stores a JSON value; throws if the value is not JSON. */
  put(key: string, value: JsonValue): void;
  delete(key: string): void;
}

/** Metrics of the node. Metrics recorded while handling a record count only if it succeeds. */
export interface Metrics {
  /** Adds `increment` (default 1) to a counter. */
  counter(name: string, increment?: number): void;
  /** Records one observation, e.g. a size or a duration in milliseconds. */
  histogram(name: string, value: number): void;
}

/** JSON as params arrive: frozen, all the way down. */
export type ReadonlyJsonValue =
  string | number | boolean | null | readonly ReadonlyJsonValue[] | ReadonlyJsonObject;
export interface ReadonlyJsonObject {
  readonly [key: string]: ReadonlyJsonValue;
}

/** Deeply read-only: params are frozen, and changing them throws. */
export type DeepReadonly<T> = ReadonlyJsonObject extends T
  ? T
  : T extends (infer Item)[]
    ? readonly DeepReadonly<Item>[]
    : T extends object
      ? { readonly [Key in keyof T]: DeepReadonly<T[Key]> }
      : T;

/** What `init` receives: everything of `Ctx` but `emit`, `write` and `record`. */
export interface InitContext<Params = ReadonlyJsonObject> {
  log: Logger;
  state: State;
  /** The node's params (a deep-frozen copy). */
  params: DeepReadonly<Params>;
  /** The secrets granted to the node, by name (frozen). Never logged: they appear as `***`. */
  secrets: Readonly<Record<string, string>>;
  metrics: Metrics;
}

/** What the handler and the stream receive. */
export interface Ctx<Params = ReadonlyJsonObject> extends InitContext<Params> {
  /**
   * Sends a record to a named output port of the node. An unknown port fails the current
   * record. Emitted records come before the returned ones.
   */
  emit(port: string, record: OutputRecord<RecordValue>): void;
  /**
   * Writes a chunk of bytes to the node's first port (a record whose value is `bytes`, with
   * the current record's key, headers and timestamp), in order with what the record returns,
   * yields and emits: a stream's output written as it is made (FunctionGraph's `ctx.Write`).
   * Anything but a Uint8Array fails the current record.
   */
  write(bytes: Uint8Array): void;
  /** The current record's key, headers and timestamp (in stream mode: of the record read last). */
  readonly record: RecordMeta;
}

/**
 * `export default` — called once per record. Throwing (or rejecting) fails that record only;
 * it is retried and then goes to the dead-letter store.
 */
export type Handler<Value = JsonValue, Params = ReadonlyJsonObject> = (
  record: WeirRecord<Value>,
  ctx: Ctx<Params>,
) => HandlerResult<RecordValue> | Promise<HandlerResult<RecordValue>>;

/**
 * `export async function init(ctx)` — optional, run once per instance before the first record
 * (load a model, warm a cache). If it throws, the instance does not start.
 */
export type Init<Params = ReadonlyJsonObject> = (ctx: InitContext<Params>) => void | Promise<void>;

/**
 * `export async function* stream(records, ctx)` — the ordered alternative to a default export,
 * for chunked payloads. One generator reads the node's records in order, across batches;
 * whatever it yields (records, arrays of records) or emits belongs to the record it read last,
 * and a record is done when the generator asks for the next one. If it throws, the record it
 * was on fails and a new generator is started for the next record.
 */
export type Stream<Value = JsonValue, Params = ReadonlyJsonObject> = (
  records: AsyncIterable<WeirRecord<Value>>,
  ctx: Ctx<Params>,
) => AsyncIterable<HandlerResult<RecordValue>>;

declare global {
  /** `console` writes to the node's log, like `ctx.log` (`console.log` is `info`). */
  interface Console {
    log(...args: unknown[]): void;
    info(...args: unknown[]): void;
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
    debug(...args: unknown[]): void;
    trace(...args: unknown[]): void;
  }
  var console: Console;
}
