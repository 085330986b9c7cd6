// @ts-check
// The function contract inside a sandbox, written once for every runtime that runs JavaScript:
// the `js` runtime evaluates it in each function's V8 isolate (runtime-js/src/sandbox), the
// `wasm` runtime componentizes it into its JS guest (runtime-wasm/guest). Each gives it a
// GuestHost, a thin adapter for its plumbing (how state is read, how logs and progress reach
// the host, how the user's module becomes a function); everything the function can reach comes
// from here: ctx, console and the language's own builtins.
//
// Sandboxes load this file as text (guest/index.ts turns it into a script), never import it:
// it must stay one module with no imports, whose only export is `createGuest`.
//
// Records arrive as one JSON string per call and outcomes leave as one JSON string, built by
// concatenation; logs, state writes and metrics travel inside that string, so a batch costs one
// crossing each way. Output values are written apart, back to back before the result's JSON
// ("<length>\n<values><result JSON>", each output pointing at its value's text with
// `"json":[offset,length]`), so the host can keep each value's text as it is and parse it only
// when something reads it (call-result.ts, @weir/domain's jsonTextRecord). The only calls back
// to the host are reads of state the batch has not seen and, outside batches (module load,
// init, one-record retries), log lines.
//
// User code shares this realm and may replace globals or poison prototypes (Object.prototype.x,
// Array.prototype.push = null, setters on Object.prototype). The bookkeeping below therefore
// uses intrinsics captured before user code runs, objects without prototypes, class fields
// (defined, never assigned through the prototype chain), index loops and string building, and
// never calls a method reachable from user code.

/** @typedef {"debug" | "info" | "warn" | "error"} LogLevel */
/** @typedef {(exports: object, module: { exports: unknown }) => void} ModuleFunction */

/**
 * What a sandbox gives the core: its adapter to the host.
 * @typedef {object} GuestHost
 * @property {(key: string) => string | undefined | Promise<string | undefined>} readState
 *   Host state of a key as JSON text, undefined when it has none.
 * @property {(level: LogLevel, message: string) => void} log A log line, as it is written.
 * @property {(index: number, single: boolean) => void} progress
 *   Record `index` of the call starts now (-1: between records); `single` when the call is a
 *   one-record retry, init or load.
 * @property {(argument: unknown) => ModuleFunction} moduleFunction
 *   The user's CommonJS module as a function, from what the host sent with `load`; throws a
 *   syntax error as the user's.
 */

/**
 * The host's entry point: an operation, its argument and, with `batch` and `single`, the bytes
 * the batch's byte values point into. Answers JSON text; `take-bytes` answers the bytes the last
 * call's byte outputs point into (see "byte values" below). `one` is `batch` for a batch of one
 * record without byte values, in fewer steps (runOne).
 * @typedef {(operation: string, argument: unknown, bytes?: Uint8Array) => string | Promise<string> | Uint8Array} Dispatch
 */

/**
 * Anything the function's code produced or replaced (records it returns, values it throws,
 * objects whose getters it wrote): read defensively, never trusted to have a shape.
 * @typedef {any} Untrusted
 */
/** @typedef {(records: AsyncIterable<Untrusted>, ctx: object) => Untrusted} StreamFunction */

/**
 * Builds one function instance's guest: configuration (ports, params, secrets as JSON) in,
 * the `dispatch` the host calls out: `load` (the module), `init`, `batch` and `single`
 * (records as "<count>\n<record JSON>\n…"), each answering one JSON text.
 * @param {string} configJson
 * @param {GuestHost} host
 * @returns {Dispatch}
 */
export function createGuest(configJson, host) {
  "use strict";

  const globalObject = globalThis;
  const ObjectCreate = Object.create;
  const ObjectFreeze = Object.freeze;
  const ObjectKeys = Object.keys;
  const ObjectDefineProperty = Object.defineProperty;
  const ObjectGetPrototypeOf = Object.getPrototypeOf;
  const ObjectHasOwn = Object.hasOwn;
  const ObjectPrototype = Object.prototype;
  const ArrayIsArray = Array.isArray;
  const JSONParse = JSON.parse;
  const JSONStringify = JSON.stringify;
  const ReflectApply = Reflect.apply;
  const NumberIsInteger = Number.isInteger;
  const NumberIsFinite = Number.isFinite;
  const StringCtor = String;
  const StringSlice = String.prototype.slice;
  const StringIndexOf = String.prototype.indexOf;
  // The captured string methods as plain functions (bound `call`s): readRecord calls them for
  // every record, and Reflect.apply would build an arguments array each time.
  /** `text.slice(start)` / `text.slice(start, end)`. */
  /** @type {(text: string, start: number, end?: number) => string} */
  const sliceFrom = Function.prototype.call.bind(StringSlice);
  /** `text.indexOf(search, from)`. */
  /** @type {(text: string, search: string, from: number) => number} */
  const indexOfFrom = Function.prototype.call.bind(StringIndexOf);
  const PromiseCtor = Promise;
  const PromisePrototype = Promise.prototype;
  const PromiseThen = Promise.prototype.then;
  const PromiseResolve = Promise.resolve.bind(Promise);
  const PromiseReject = Promise.reject.bind(Promise);
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  /** @type {typeof Symbol.asyncIterator} */
  const AsyncIteratorSymbol = Symbol.asyncIterator;
  const ReflectDeleteProperty = Reflect.deleteProperty;
  const Uint8ArrayCtor = Uint8Array;
  const ArrayBufferIsView = ArrayBuffer.isView;
  const TypedArrayPrototype = ObjectGetPrototypeOf(Uint8Array.prototype);
  /** @type {(this: unknown) => string | undefined} */
  const typedArrayTag = /** @type {any} */ (
    Object.getOwnPropertyDescriptor(TypedArrayPrototype, Symbol.toStringTag)
  ).get;
  /** @type {(this: Uint8Array, source: ArrayLike<number>, offset?: number) => void} */
  const TypedArraySet = TypedArrayPrototype.set;
  /** @type {(this: Uint8Array, start?: number, end?: number) => Uint8Array} */
  const TypedArraySubarray = TypedArrayPrototype.subarray;
  const MathMax = Math.max;
  // The adapter's functions, taken before user code runs and called without a receiver.
  const hostReadState = host.readState;
  const hostLog = host.log;
  const hostProgress = host.progress;
  const hostModuleFunction = host.moduleFunction;

  const MAX_MESSAGE = 8192;
  const MAX_STACK = 16384;
  const MAX_LOG_LINES = 10000;
  const MAX_LOG_BYTES = 4 * 1024 * 1024;
  /** @typedef {string | typeof DELETED | typeof ABSENT} StateEntry */
  /** @type {Readonly<{ deleted: true }>} */
  const DELETED = ObjectFreeze(ObjectCreate(null));
  /** @type {Readonly<{ absent: true }>} */
  const ABSENT = ObjectFreeze(ObjectCreate(null));
  /** @type {Record<string, string>} */
  const NO_HEADERS = ObjectFreeze(ObjectCreate(null));

  /**
   * @template T
   * @returns {Record<string, T>}
   */
  const dict = () => ObjectCreate(null);
  /** @type {(text: string, max: number) => string} */
  const clip = (text, max) =>
    text.length > max ? ReflectApply(StringSlice, text, [0, max]) + "… (truncated)" : text;

  /** @param {Untrusted} value */
  function deepFreeze(value) {
    if (value !== null && typeof value === "object") {
      const keys = ObjectKeys(value);
      for (let i = 0; i < keys.length; i++) deepFreeze(value[/** @type {string} */ (keys[i])]);
      ObjectFreeze(value);
    }
    return value;
  }

  // ---- configuration -------------------------------------------------------------------------

  /** @type {{ ports: string[]; params: unknown; secrets: Record<string, string> }} */
  const config = JSONParse(configJson);
  /** @type {Record<string, boolean>} */
  const portSet = dict();
  let portList = "";
  for (let i = 0; i < config.ports.length; i++) {
    portSet[/** @type {string} */ (config.ports[i])] = true;
    portList += (i > 0 ? ", " : "") + config.ports[i];
  }
  const defaultPortJson = JSONStringify(config.ports.length > 0 ? config.ports[0] : "out");
  const params = deepFreeze(config.params);
  const secrets = deepFreeze(config.secrets);

  // ---- per-call buffers ----------------------------------------------------------------------

  let streamLogs = false;
  let outcomes = "";
  let outcomeCount = 0;
  let failures = "";
  let failureCount = 0;
  let writes = "";
  let writeCount = 0;
  let logs = "";
  let logCount = 0;
  let logBytes = 0;
  let droppedLogs = 0;
  /** @type {Record<string, number>} */
  let counters = dict();
  let histograms = "";
  let histogramCount = 0;
  /** The JSON text of every output value of this call, back to back (see endCall). */
  let valueText = "";
  /** Writes of this call's successful records: key → JSON text or DELETED. */
  /** @type {Record<string, StateEntry>} */
  let committed = dict();
  /** Host state read during this call: key → JSON text or ABSENT. */
  /** @type {Record<string, StateEntry>} */
  let hostCache = dict();
  /** Whether this call put anything in counters, committed or hostCache (most calls do not). */
  let dictsUsed = false;
  let callSerial = 0;
  /** The record being handled: ctx calls act on it. */
  /** @type {Acc | null} */
  let cur = null;

  /** @param {boolean} logsToHost */
  function beginCall(logsToHost) {
    resetCall(logsToHost);
    hostProgress(-1, logsToHost);
  }

  /** beginCall without telling the host: a batch of one record (runOne), whose clock the host set. */
  /** @param {boolean} logsToHost */
  function resetCall(logsToHost) {
    streamLogs = logsToHost;
    outcomes = "";
    outcomeCount = 0;
    failures = "";
    failureCount = 0;
    writes = "";
    writeCount = 0;
    logs = "";
    logCount = 0;
    logBytes = 0;
    droppedLogs = 0;
    if (dictsUsed) {
      // Fresh dictionaries only when the last call used them: a call that wrote no state, read
      // none and counted nothing (most calls) leaves them empty.
      counters = dict();
      committed = dict();
      hostCache = dict();
      dictsUsed = false;
    }
    histograms = "";
    histogramCount = 0;
    valueText = "";
    callSerial++;
    cur = null;
    outLength = 0;
  }

  function endCall() {
    cur = null;
    if (droppedLogs > 0) {
      const note = droppedLogs + " log lines were dropped (over the limit of one call)";
      droppedLogs = 0;
      if (streamLogs) hostLog("warn", note);
      else logs += (logCount++ > 0 ? "," : "") + '["warn",' + JSONStringify(note) + "]";
    }
    let countersJson = "{";
    let first = true;
    if (dictsUsed)
      for (const name in counters) {
        const total = counters[name];
        if (!NumberIsFinite(total)) continue;
        countersJson += (first ? "" : ",") + JSONStringify(name) + ":" + total;
        first = false;
      }
    const json =
      (valueText === "" ? "{" : '{"port":' + defaultPortJson + ",") +
      '"outcomes":[' +
      outcomes +
      '],"failures":[' +
      failures +
      '],"writes":[' +
      writes +
      '],"logs":[' +
      logs +
      '],"counters":' +
      countersJson +
      '},"histograms":[' +
      histograms +
      "]" +
      (outLength > 0 ? ',"bytes":' + outLength : "") +
      (outOfMemory ? ',"fatal":"memory"' : "") +
      "}";
    // Values first, so the result still ends with its JSON (hasByteOutputs reads its tail); a
    // result with no JSON output is its JSON alone, as every other runtime's.
    const result = valueText === "" ? json : valueText.length + "\n" + valueText + json;
    // A view, not a copy: the host copies it out (take-bytes) before it sends the next call, so
    // the array is reused by every call rather than garbage for the sandbox's collector.
    takenBytes = outLength > 0 ? ReflectApply(TypedArraySubarray, outBytes, [0, outLength]) : null;
    outLength = 0;
    outOfMemory = false;
    beginCall(false);
    return result;
  }

  // ---- byte values -------------------------------------------------------------------------
  //
  // A record whose value is bytes (a Uint8Array) crosses without being written into the text:
  // its JSON has `"bytes":[offset,length]` instead of `"value"`, pointing into the one byte
  // array that crosses beside the call's text (in) or that `take-bytes` answers after it (out).

  /** @param {Untrusted} value */
  function isBytes(value) {
    return ArrayBufferIsView(value) && ReflectApply(typedArrayTag, value, []) === "Uint8Array";
  }

  /**
   * The output byte values of the current call, back to back; `outLength` of it is used. Kept
   * from call to call (grown, never shrunk) since the host copies each call's out at once.
   */
  let outBytes = new Uint8ArrayCtor(0);
  let outLength = 0;
  /** The last call's output bytes, until the host takes them. */
  /** @type {Uint8Array | null} */
  let takenBytes = null;

  /**
   * Appends a value to the call's output bytes, returning its `[offset,length]`.
   * @param {Uint8Array} value
   */
  function addBytes(value) {
    const length = value.byteLength;
    if (outLength + length > outBytes.length) {
      const grown = new Uint8ArrayCtor(MathMax(outLength + length, outBytes.length * 2, 65536));
      ReflectApply(TypedArraySet, grown, [ReflectApply(TypedArraySubarray, outBytes, [0, outLength])]);
      outBytes = grown;
    }
    ReflectApply(TypedArraySet, outBytes, [value, outLength]);
    const at = outLength;
    outLength += length;
    return "[" + at + "," + length + "]";
  }

  // ---- records -------------------------------------------------------------------------------

  /** What one record (or init) has done so far; it reaches the outcome only if the record succeeds. */
  class Acc {
    index = 0;
    inInit = false;
    /** @type {Untrusted} */
    record = null;
    /** @type {Untrusted} */
    key = null;
    /** @type {Untrusted} */
    headers = null;
    /** @type {Untrusted} */
    timestamp = 0;
    /** @type {object | null} */
    meta = null;
    outputs = "";
    outputCount = 0;
    /**
     * While every output so far is plain (see encodeRecord), their values' "offset,length" pairs
     * in place of `outputs`; null once one is not.
     * @type {string | null}
     */
    spans = "";
    /** The input's headers as JSON when the record began, for telling plain outputs; null: none is. */
    /** @type {string | null} */
    inputHeadersJson = null;
    /** @type {Record<string, StateEntry> | null} */
    writes = null;
    writeLog = "";
    writeCount = 0;
    /** @type {Record<string, number> | null} */
    counters = null;
    histograms = "";
    histogramCount = 0;
    failed = false;
    /** @type {Untrusted} */
    error = undefined;
  }

  /**
   * @param {number} index
   * @param {Untrusted} record
   */
  function begin(index, record) {
    hostProgress(index, streamLogs);
    return newAcc(index, record);
  }

  /**
   * begin without telling the host.
   * @param {number} index
   * @param {Untrusted} record
   */
  function newAcc(index, record) {
    const acc = new Acc();
    acc.index = index;
    if (record !== null && typeof record === "object") {
      acc.record = record;
      const key = record.key;
      acc.key = key === undefined ? null : key;
      const headers = record.headers;
      acc.headers = headers === undefined || headers === null ? {} : headers;
      acc.timestamp = record.timestamp;
      // Before the function can change them in place; with a toJSON on Object.prototype the text
      // would not be the headers', so no output is taken for plain then.
      if (!ObjectHasOwn(ObjectPrototype, "toJSON") && typeof acc.timestamp === "number")
        acc.inputHeadersJson = JSONStringify(acc.headers);
    } else {
      acc.headers = {};
    }
    cur = acc;
    return acc;
  }

  /** @param {Acc} acc */
  function commit(acc) {
    if (cur === acc) cur = null;
    // A record whose outputs are all plain is just their spans, "[offset,length,…]" (only in a
    // result with values: one without outputs is written out, as any result without values is).
    outcomes +=
      (outcomeCount++ > 0 ? "," : "") +
      (acc.spans !== null && acc.spans !== ""
        ? "[" + acc.spans + "]"
        : '{"ok":true,"outputs":[' + acc.outputs + "]}");
    if (acc.writeCount > 0) {
      dictsUsed = true;
      const own = acc.writes;
      for (const key in own) committed[key] = /** @type {StateEntry} */ (own[key]);
      writes += (writeCount++ > 0 ? "," : "") + "[" + acc.index + ",[" + acc.writeLog + "]]";
    }
    if (acc.counters !== null) {
      dictsUsed = true;
      const own = acc.counters;
      for (const name in own)
        counters[name] =
          (name in counters ? /** @type {number} */ (counters[name]) : 0) + /** @type {number} */ (own[name]);
    }
    if (acc.histogramCount > 0) {
      histograms += (histogramCount > 0 ? "," : "") + acc.histograms;
      histogramCount += acc.histogramCount;
    }
  }

  /**
   * @param {Acc} acc
   * @param {Untrusted} thrown
   */
  function fail(acc, thrown) {
    if (cur === acc) cur = null;
    const failure = describeThrown(thrown);
    outcomes +=
      (outcomeCount++ > 0 ? "," : "") +
      '{"ok":false,"error":{"message":' +
      JSONStringify(failure.message) +
      "}}";
    failures +=
      (failureCount++ > 0 ? "," : "") +
      "[" +
      acc.index +
      "," +
      (failure.stack === null ? "null" : JSONStringify(failure.stack)) +
      "]";
  }

  /**
   * @param {Acc} acc
   * @param {Untrusted} returned
   */
  function succeed(acc, returned) {
    try {
      addReturned(acc, returned, "returned value");
    } catch (error) {
      fail(acc, error);
      return;
    }
    commit(acc);
  }

  /**
   * @param {Acc} acc
   * @param {Untrusted} returned
   * @param {string} what
   */
  function addReturned(acc, returned, what) {
    if (returned === undefined || returned === null) return;
    if (ArrayIsArray(returned)) {
      const count = returned.length;
      for (let i = 0; i < count; i++) {
        addOutput(acc, defaultPortJson, encodeRecord(returned[i], acc, what + "[" + i + "]"));
      }
    } else {
      addOutput(acc, defaultPortJson, encodeRecord(returned, acc, what));
    }
  }

  /**
   * @param {Acc} acc
   * @param {string} portJson
   * @param {string} recordJson
   */
  function addOutput(acc, portJson, recordJson) {
    let json = recordJson;
    if (json === PLAIN) {
      if (acc.spans !== null && portJson === defaultPortJson) {
        acc.spans += (acc.outputCount++ > 0 ? "," : "") + plainAt + "," + plainLength;
        return;
      }
      json = plainRecordJson(acc, plainAt, plainLength);
    }
    if (acc.spans !== null) unplain(acc);
    acc.outputs += (acc.outputCount++ > 0 ? "," : "") + '{"port":' + portJson + ',"record":' + json + "}";
  }

  /**
   * What encodeRecord answers for a plain output: a JSON value on its own in the call's values,
   * with the key, headers and timestamp of its input record (the host takes them from there). Its
   * value is at [plainAt, plainAt + plainLength) of valueText.
   */
  const PLAIN = "";
  let plainAt = 0;
  let plainLength = 0;

  /**
   * A plain output written out in full (for another port, or beside an output that is not plain).
   * @param {Acc} acc
   * @param {number} at
   * @param {number} length
   */
  function plainRecordJson(acc, at, length) {
    return (
      '{"key":' +
      (acc.key === null ? "null" : JSONStringify(acc.key)) +
      ',"json":[' +
      at +
      "," +
      length +
      '],"headers":' +
      acc.inputHeadersJson +
      ',"timestamp":' +
      acc.timestamp +
      "}"
    );
  }

  /**
   * The record's plain outputs so far, written out in full into `outputs`, which every later
   * output of the record then goes to.
   * @param {Acc} acc
   */
  function unplain(acc) {
    const spans = /** @type {string} */ (acc.spans);
    acc.spans = null;
    let from = 0;
    let first = true;
    while (from < spans.length) {
      const comma = ReflectApply(StringIndexOf, spans, [",", from]);
      let end = ReflectApply(StringIndexOf, spans, [",", comma + 1]);
      if (end === -1) end = spans.length;
      const at = +ReflectApply(StringSlice, spans, [from, comma]);
      const length = +ReflectApply(StringSlice, spans, [comma + 1, end]);
      acc.outputs +=
        (first ? "" : ",") +
        '{"port":' +
        defaultPortJson +
        ',"record":' +
        plainRecordJson(acc, at, length) +
        "}";
      first = false;
      from = end + 1;
    }
  }

  /** @param {string} what */
  const notARecord = (what) =>
    new ErrorCtor(what + " is not a record: expected an object with a 'value' field");
  /** @type {(what: string, reason: string) => Error} */
  const invalid = (what, reason) => new ErrorCtor(what + " is not a valid record: " + reason);

  /** A returned, yielded or emitted record as JSON; omitted key, headers and timestamp come from the input. */
  /**
   * @param {Untrusted} item
   * @param {Acc} acc
   * @param {string} what
   * @returns {string}
   */
  function encodeRecord(item, acc, what) {
    if (item === null || typeof item !== "object" || ArrayIsArray(item)) throw notARecord(what);
    const value = item.value;
    if (value === undefined) throw notARecord(what);
    if (typeof value === "function" || typeof value === "symbol")
      throw invalid(what, "its value is not JSON");
    let key = item.key;
    if (key === undefined) key = acc.key;
    else if (key !== null && typeof key !== "string") throw invalid(what, "key must be a string or null");
    let headers = item.headers;
    const inputHeaders = headers === undefined || headers === null;
    if (inputHeaders) headers = acc.headers;
    let timestamp = item.timestamp;
    if (timestamp === undefined || timestamp === null) timestamp = acc.timestamp;
    else if (typeof timestamp !== "number" || !NumberIsInteger(timestamp) || timestamp < 0) {
      throw invalid(what, "timestamp must be a non-negative integer (milliseconds since the epoch)");
    }
    if (inputHeaders && key === acc.key && timestamp === acc.timestamp && acc.inputHeadersJson !== null) {
      const plain = plainValue(value, acc, what);
      if (plain !== null) return plain;
    }
    const headerCopy = copyHeaders(headers, what);
    if (isBytes(value)) {
      return (
        '{"key":' +
        (key === null ? "null" : JSONStringify(key)) +
        ',"bytes":' +
        addBytes(value) +
        ',"headers":' +
        headersJson(headerCopy) +
        ',"timestamp":' +
        timestamp +
        "}"
      );
    }
    const valueJson = valueJsonOf(value, what);
    const at = valueText.length;
    valueText += valueJson;
    const outHeadersJson = headersJson(headerCopy);
    if (key === acc.key && timestamp === acc.timestamp && outHeadersJson === acc.inputHeadersJson) {
      plainAt = at;
      plainLength = valueJson.length;
      return PLAIN;
    }
    return (
      '{"key":' +
      (key === null ? "null" : JSONStringify(key)) +
      ',"json":[' +
      at +
      "," +
      valueJson.length +
      '],"headers":' +
      outHeadersJson +
      (typeof timestamp === "number" ? ',"timestamp":' + timestamp : "") +
      "}"
    );
  }

  /**
   * encodeRecord's common case: an output that keeps its input's key and timestamp and names no
   * headers of its own, so it carries the input's headers object, which the function may have
   * changed in place. Those headers written as JSON are compared with what they were when the
   * record began (inputHeadersJson): unchanged, they are the input's, which the host already
   * holds and so needs neither checking nor copying, and the output is plain. Answers PLAIN, or
   * null when the headers changed (encodeRecord then checks and writes them as for any output).
   * @param {Untrusted} value
   * @param {Acc} acc
   * @param {string} what
   * @returns {string | null}
   */
  function plainValue(value, acc, what) {
    if (isBytes(value)) return null;
    // Through JSON.stringify as copyHeaders' copy would be: whatever it writes is compared as text.
    if (JSONStringify(acc.headers) !== acc.inputHeadersJson) return null;
    const valueJson = valueJsonOf(value, what);
    plainAt = valueText.length;
    plainLength = valueJson.length;
    valueText += valueJson;
    return PLAIN;
  }

  /**
   * An output value as JSON text; throws the record's error when it is not JSON.
   * @param {Untrusted} value
   * @param {string} what
   * @returns {string}
   */
  function valueJsonOf(value, what) {
    let valueJson;
    try {
      valueJson = JSONStringify(value);
    } catch (error) {
      throw invalid(what, "its value is not JSON (" + describeThrown(error).message + ")");
    }
    // A value with a toJSON (a Date, or anything once Object.prototype.toJSON is set) may turn into nothing.
    if (valueJson === undefined) throw invalid(what, "its value is not JSON");
    return valueJson;
  }

  /**
   * Checked headers (copyHeaders) as JSON. Stringifying the value may have run the function's
   * code (a toJSON, a getter) since they were copied, and put a toJSON on Object.prototype, which
   * a plain object would inherit: they are then written from a prototype-less copy.
   * @param {Record<string, string>} headers
   */
  function headersJson(headers) {
    if (headers === NO_HEADERS) return "{}";
    return JSONStringify(ObjectHasOwn(ObjectPrototype, "toJSON") ? prototypeless(headers) : headers);
  }

  /** Headers checked to be strings, copied into an object JSON.stringify cannot be tricked by. */
  /**
   * @param {Untrusted} headers
   * @param {string} what
   * @returns {Record<string, string>}
   */
  function copyHeaders(headers, what) {
    if (typeof headers !== "object" || ArrayIsArray(headers)) {
      throw invalid(what, "headers must be an object of strings");
    }
    const names = ObjectKeys(headers);
    const count = names.length;
    if (count === 0) return NO_HEADERS;
    /** @type {Record<string, string>} */
    const checked = ObjectCreate(null);
    for (let i = 0; i < count; i++) {
      const name = /** @type {string} */ (names[i]);
      const value = headers[name];
      if (typeof value !== "string") throw invalid(what, "header '" + name + "' must be a string");
      checked[name] = value;
    }
    // Copied once more into a plain object when no header's name is on Object.prototype (where
    // the function may have put a setter) and it has no toJSON: JSON.stringify takes its fast
    // path through a plain object, not through a prototype-less one (a dictionary in V8), and
    // that is worth the copy. No code of the function's runs between the check and the copy.
    if (ObjectHasOwn(ObjectPrototype, "toJSON")) return checked;
    for (let i = 0; i < count; i++) if (/** @type {string} */ (names[i]) in ObjectPrototype) return checked;
    /** @type {Record<string, string>} */
    const plain = {};
    for (let i = 0; i < count; i++) {
      const name = /** @type {string} */ (names[i]);
      plain[name] = /** @type {string} */ (checked[name]);
    }
    return plain;
  }

  /**
   * Headers copied as a plain object (copyHeaders), as a prototype-less one: for when the function
   * has since put a toJSON on Object.prototype, which the plain object would inherit.
   * @param {Record<string, string>} headers
   * @returns {Record<string, string>}
   */
  function prototypeless(headers) {
    if (ObjectGetPrototypeOf(headers) === null) return headers;
    /** @type {Record<string, string>} */
    const copy = ObjectCreate(null);
    const names = ObjectKeys(headers);
    for (let i = 0; i < names.length; i++) {
      const name = /** @type {string} */ (names[i]);
      copy[name] = /** @type {string} */ (headers[name]);
    }
    return copy;
  }

  /**
   * Set when the engine ran out of memory during this call (SpiderMonkey throws the string
   * "out of memory"; V8 ends the isolate instead): the host then resets the instance.
   */
  let outOfMemory = false;

  class Failure {
    message = "";
    /** @type {string | null} */
    stack = null;
  }

  /** Message (and stack, for the host to find the user's line) of anything thrown or rejected. */
  /** @param {Untrusted} thrown */
  function describeThrown(thrown) {
    const failure = new Failure();
    if (thrown === "out of memory") outOfMemory = true;
    try {
      if (thrown !== null && (typeof thrown === "object" || typeof thrown === "function")) {
        const message = thrown.message;
        if (typeof message === "string") {
          const name = thrown.name;
          failure.message =
            typeof name === "string" && name !== "" && name !== "Error" ? name + ": " + message : message;
          // SpiderMonkey's words for a stack overflow; V8 says "Maximum call stack size exceeded".
          if (message === "too much recursion") failure.message += " (the call stack is exhausted)";
          const stack = thrown.stack;
          if (typeof stack === "string") failure.stack = clip(stack, MAX_STACK);
          failure.message = clip(failure.message, MAX_MESSAGE);
          return failure;
        }
      }
      failure.message = clip("threw a non-Error value: " + describeValue(thrown), MAX_MESSAGE);
    } catch {
      failure.message = "threw a value whose message could not be read";
      failure.stack = null;
    }
    return failure;
  }

  /**
   * @param {Untrusted} value
   * @returns {string}
   */
  function describeValue(value) {
    switch (typeof value) {
      case "string":
        return JSONStringify(value);
      case "undefined":
        return "undefined";
      case "function":
        return "a function";
      case "number":
      case "boolean":
      case "bigint":
      case "symbol":
        return StringCtor(value);
      default:
        break;
    }
    if (value === null) return "null";
    try {
      const json = JSONStringify(value);
      if (typeof json === "string") return clip(json, 512);
    } catch {
      // not JSON: fall through
    }
    return "an object";
  }

  // ---- ctx -----------------------------------------------------------------------------------

  /** @param {string} what */
  function activeAcc(what) {
    const acc = cur;
    if (acc === null) {
      throw new ErrorCtor(
        what +
          " was called outside of a record: use it while a record is handled (in stream mode, after reading one)",
      );
    }
    return acc;
  }

  /**
   * @param {Untrusted} value
   * @returns {string}
   */
  function formatArg(value) {
    switch (typeof value) {
      case "string":
        return value;
      case "function":
        return "[function]";
      case "object":
        break;
      default:
        return StringCtor(value);
    }
    if (value === null) return "null";
    try {
      const message = value.message;
      const stack = value.stack;
      if (typeof message === "string" && typeof stack === "string") {
        const name = value.name;
        return (typeof name === "string" ? name : "Error") + ": " + message;
      }
      const json = JSONStringify(value);
      if (typeof json === "string") return json;
    } catch {
      // unreadable or not JSON: fall through
    }
    return "[object]";
  }

  /**
   * @param {LogLevel} level
   * @param {Untrusted[]} args
   */
  function log(level, args) {
    let message = "";
    const count = args.length;
    for (let i = 0; i < count; i++) message += (i > 0 ? " " : "") + formatArg(args[i]);
    message = clip(message, MAX_MESSAGE);
    if (logCount >= MAX_LOG_LINES || logBytes + message.length > MAX_LOG_BYTES) {
      droppedLogs++;
      return;
    }
    logBytes += message.length;
    if (streamLogs) {
      logCount++;
      hostLog(level, message);
    } else {
      // With the index of the record that wrote it (the host keeps that record's trace with the line).
      const at = cur !== null && !cur.inInit ? "," + outcomeCount : "";
      logs +=
        (logCount++ > 0 ? "," : "") + "[" + JSONStringify(level) + "," + JSONStringify(message) + at + "]";
    }
  }

  const logger = ObjectFreeze({
    /** @param {Untrusted[]} args */
    debug: (...args) => log("debug", args),
    /** @param {Untrusted[]} args */
    info: (...args) => log("info", args),
    /** @param {Untrusted[]} args */
    warn: (...args) => log("warn", args),
    /** @param {Untrusted[]} args */
    error: (...args) => log("error", args),
  });

  /**
   * @param {Untrusted} key
   * @param {string} what
   * @returns {asserts key is string}
   */
  function checkKey(key, what) {
    if (typeof key !== "string") throw new TypeErrorCtor(what + ": the key must be a string");
  }

  /** What this call knows about a key: JSON text, DELETED, ABSENT, or undefined (ask the host). */
  /**
   * @param {string} key
   * @returns {StateEntry | undefined}
   */
  function known(key) {
    const acc = cur;
    if (acc !== null && acc.writes !== null && key in acc.writes) return acc.writes[key];
    if (key in committed) return committed[key];
    if (key in hostCache) return hostCache[key];
    return undefined;
  }

  /**
   * @param {Untrusted} key
   * @returns {Promise<Untrusted>}
   */
  async function stateGet(key) {
    checkKey(key, "ctx.state.get");
    let entry = known(key);
    if (entry === undefined) {
      const serial = callSerial;
      const json = await hostReadState(key);
      const fetched = typeof json === "string" ? json : ABSENT;
      if (serial === callSerial && !(key in hostCache)) {
        hostCache[key] = fetched;
        dictsUsed = true;
      }
      entry = known(key);
      if (entry === undefined) entry = fetched;
    }
    return typeof entry === "string" ? JSONParse(entry) : undefined;
  }

  /**
   * @param {Acc} acc
   * @param {string} key
   * @param {StateEntry} json
   * @param {string} logEntry
   */
  function addWrite(acc, key, json, logEntry) {
    if (acc.writes === null) acc.writes = dict();
    acc.writes[key] = json;
    acc.writeLog += (acc.writeCount++ > 0 ? "," : "") + logEntry;
  }

  /**
   * @param {Untrusted} key
   * @param {Untrusted} value
   */
  function statePut(key, value) {
    checkKey(key, "ctx.state.put");
    const acc = activeAcc("ctx.state.put");
    let json;
    try {
      json = JSONStringify(value);
    } catch (error) {
      throw new TypeErrorCtor(
        "ctx.state.put(" +
          JSONStringify(key) +
          "): the value is not JSON (" +
          describeThrown(error).message +
          ")",
      );
    }
    if (json === undefined) {
      throw new TypeErrorCtor(
        "ctx.state.put(" +
          JSONStringify(key) +
          "): the value is not JSON; use ctx.state.delete to remove a key",
      );
    }
    addWrite(acc, key, json, '{"key":' + JSONStringify(key) + ',"value":' + json + "}");
  }

  /** @param {Untrusted} key */
  function stateDelete(key) {
    checkKey(key, "ctx.state.delete");
    const acc = activeAcc("ctx.state.delete");
    addWrite(acc, key, DELETED, '{"key":' + JSONStringify(key) + ',"delete":true}');
  }

  /**
   * @param {Untrusted} name
   * @param {Untrusted} amount
   * @param {string} what
   * @returns {asserts amount is number}
   */
  function checkMetric(name, amount, what) {
    if (typeof name !== "string" || name === "")
      throw new TypeErrorCtor(what + ": the name must be a non-empty string");
    if (typeof amount !== "number" || !NumberIsFinite(amount)) {
      throw new TypeErrorCtor(what + ": the amount must be a finite number");
    }
  }

  /**
   * @param {Untrusted} name
   * @param {Untrusted} increment
   */
  function counter(name, increment) {
    const amount = increment === undefined ? 1 : increment;
    checkMetric(name, amount, "ctx.metrics.counter");
    const acc = activeAcc("ctx.metrics.counter");
    if (acc.counters === null) acc.counters = dict();
    const own = acc.counters;
    own[name] = (name in own ? /** @type {number} */ (own[name]) : 0) + amount;
  }

  /**
   * @param {Untrusted} name
   * @param {Untrusted} value
   */
  function histogram(name, value) {
    checkMetric(name, value, "ctx.metrics.histogram");
    const acc = activeAcc("ctx.metrics.histogram");
    acc.histograms += (acc.histogramCount++ > 0 ? "," : "") + "[" + JSONStringify(name) + "," + value + "]";
  }

  /**
   * @param {Untrusted} port
   * @param {Untrusted} record
   */
  function emit(port, record) {
    const acc = activeAcc("ctx.emit");
    if (acc.inInit) throw new ErrorCtor("ctx.emit is not available in init: there is no record yet");
    if (typeof port !== "string" || !(port in portSet)) {
      throw new ErrorCtor("ctx.emit: no output port '" + StringCtor(port) + "' (ports: " + portList + ")");
    }
    const portJson = JSONStringify(port);
    addOutput(acc, portJson, encodeRecord(record, acc, "ctx.emit('" + port + "', …) argument"));
  }

  /**
   * `ctx.write(bytes)`: one output chunk on the default port, after whatever this record has
   * returned, yielded, emitted or written so far (FunctionGraph's ctx.Write).
   * @param {Untrusted} bytes
   */
  function write(bytes) {
    const acc = activeAcc("ctx.write");
    if (acc.inInit) throw new ErrorCtor("ctx.write is not available in init: there is no record yet");
    if (!isBytes(bytes)) throw new TypeErrorCtor("ctx.write: expected a Uint8Array (bytes)");
    const item = dict();
    item.value = bytes;
    addOutput(acc, defaultPortJson, encodeRecord(item, acc, "ctx.write(…) argument"));
  }

  const ctx = ObjectFreeze({
    log: logger,
    state: ObjectFreeze({ get: stateGet, put: statePut, delete: stateDelete }),
    params,
    secrets,
    metrics: ObjectFreeze({ counter, histogram }),
    emit,
    write,
    get record() {
      const acc = cur;
      if (acc === null || acc.inInit) return null;
      if (acc.meta === null)
        acc.meta = ObjectFreeze({ key: acc.key, headers: acc.headers, timestamp: acc.timestamp });
      return acc.meta;
    },
  });

  // ---- globals -------------------------------------------------------------------------------

  const consoleObject = ObjectFreeze({
    log: logger.info,
    info: logger.info,
    warn: logger.warn,
    error: logger.error,
    debug: logger.debug,
    trace: logger.debug,
  });
  ObjectDefineProperty(globalObject, "console", {
    value: consoleObject,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  // Not part of the contract: WebAssembly memories live outside the heap limit, timers and web
  // APIs would keep work alive between calls, and the function reaches the world only through
  // ctx. (Most are absent from a bare V8 isolate; an engine embedded in a component has some.)
  /** @type {string[]} */
  const REMOVED_GLOBALS = [
    "WebAssembly",
    "setTimeout",
    "setInterval",
    "clearTimeout",
    "clearInterval",
    "setImmediate",
    "queueMicrotask",
    "fetch",
    "Request",
    "Response",
    "Headers",
    "XMLHttpRequest",
    "WebSocket",
    "process",
    "require",
    "module",
    "Buffer",
  ];
  for (let i = 0; i < REMOVED_GLOBALS.length; i++)
    ReflectDeleteProperty(globalObject, /** @type {string} */ (REMOVED_GLOBALS[i]));

  // ---- the user's module ---------------------------------------------------------------------

  /** @type {((record: Untrusted, ctx: object) => Untrusted) | null} */
  let handler = null;
  /** @type {StreamFunction | null} */
  let streamFunction = null;
  /** @type {((ctx: object) => Untrusted) | null} */
  let initFunction = null;

  /** @param {Untrusted} error */
  function loadFailure(error) {
    const failure = describeThrown(error);
    return (
      '{"ok":false,"message":' +
      JSONStringify(failure.message) +
      ',"stack":' +
      JSONStringify(failure.stack) +
      "}"
    );
  }

  /** @param {unknown} argument what the host sent: the module, as its adapter understands it */
  function load(argument) {
    beginCall(true);
    let moduleFunction;
    try {
      moduleFunction = hostModuleFunction(argument);
    } catch (error) {
      return loadFailure(error);
    }
    const exportsObject = dict();
    const moduleObject = dict();
    moduleObject.exports = exportsObject;
    try {
      moduleFunction(exportsObject, /** @type {{ exports: unknown }} */ (moduleObject));
    } catch (error) {
      return loadFailure(error);
    }
    try {
      const exported = moduleObject.exports;
      const defaultExport = exported.default;
      const streamExport = exported.stream;
      const initExport = exported.init;
      if (defaultExport !== undefined) {
        if (typeof defaultExport !== "function") throw new ErrorCtor("the default export is not a function");
        handler = defaultExport;
      } else if (streamExport !== undefined) {
        if (typeof streamExport !== "function") throw new ErrorCtor("the `stream` export is not a function");
        streamFunction = streamExport;
      } else {
        throw new ErrorCtor(
          "the function exports no handler: add `export default async function handle(record, ctx)` or `export async function* stream(records, ctx)`",
        );
      }
      if (initExport !== undefined) {
        if (typeof initExport !== "function") throw new ErrorCtor("the `init` export is not a function");
        initFunction = initExport;
      }
    } catch (error) {
      return loadFailure(error);
    } finally {
      hostProgress(-1, true);
    }
    return (
      '{"ok":true,"mode":"' +
      (handler !== null ? "handler" : "stream") +
      '","init":' +
      (initFunction !== null) +
      "}"
    );
  }

  /** A promise (recognised even when the user has replaced Promise.prototype.then) or a thenable. */
  /**
   * @param {Untrusted} value
   * @returns {boolean}
   */
  function isThenable(value) {
    return (
      value !== null &&
      (typeof value === "object" || typeof value === "function") &&
      (ObjectGetPrototypeOf(value) === PromisePrototype || typeof value.then === "function")
    );
  }

  function runInit() {
    beginCall(true);
    if (initFunction === null) return endCall();
    const acc = begin(0, null);
    acc.inInit = true;
    let result;
    try {
      result = initFunction(ctx);
      if (isThenable(result)) {
        return ReflectApply(PromiseThen, PromiseResolve(result), [
          () => {
            commit(acc);
            return endCall();
          },
          (error) => {
            fail(acc, error);
            return endCall();
          },
        ]);
      }
    } catch (error) {
      fail(acc, error);
      return endCall();
    }
    commit(acc);
    return endCall();
  }

  // ---- batches -------------------------------------------------------------------------------
  //
  // A batch arrives as "<count>\n<record JSON>\n<record JSON>…" (JSON text never holds a raw
  // newline). Records are parsed one at a time as they are handled, so each record's objects die
  // young instead of the whole batch outliving several scavenges of the small young generation.

  class Batch {
    text = "";
    position = 0;
    count = 0;
    /** @type {Uint8Array | null} */
    bytes = null;
  }

  /**
   * @param {string} text
   * @param {Uint8Array | undefined} bytes what the batch's byte values point into
   */
  function openBatch(text, bytes) {
    const batch = new Batch();
    // Bytes the sandbox's bindings made may come from another realm (componentize-js lifts a
    // list<u8> so): a view of this realm's Uint8Array over them, so `instanceof Uint8Array` holds.
    batch.bytes =
      bytes === undefined || bytes === null
        ? null
        : ObjectGetPrototypeOf(bytes) === Uint8ArrayCtor.prototype
          ? bytes
          : new Uint8ArrayCtor(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const end = ReflectApply(StringIndexOf, text, ["\n"]);
    batch.text = text;
    batch.count = end === -1 ? 0 : +ReflectApply(StringSlice, text, [0, end]);
    batch.position = end + 1;
    return batch;
  }

  /**
   * @param {Batch} batch
   * @returns {Untrusted}
   */
  function readRecord(batch) {
    const text = batch.text;
    let end = indexOfFrom(text, "\n", batch.position);
    if (end === -1) end = text.length;
    const record = JSONParse(sliceFrom(text, batch.position, end));
    batch.position = end + 1;
    const span = record.bytes;
    if (span !== undefined) {
      // A byte value: a view of the batch's bytes (no copy; the function owns them for the call).
      const all = batch.bytes;
      if (all === null)
        throw new ErrorCtor("a record of the batch has byte value but the batch has no bytes");
      record.value = ReflectApply(TypedArraySubarray, all, [span[0], span[0] + span[1]]);
      ReflectDeleteProperty(record, "bytes");
    }
    return record;
  }

  // ---- handler mode --------------------------------------------------------------------------

  /** Runs records synchronously until a handler returns a promise, then continues asynchronously. */
  /**
   * @param {Batch} batch
   * @returns {string | Promise<string>}
   */
  function runHandlers(batch) {
    const handle = /** @type {NonNullable<typeof handler>} */ (handler);
    const count = batch.count;
    for (let i = 0; i < count; i++) {
      const acc = begin(i, readRecord(batch));
      let result;
      try {
        result = handle(acc.record, ctx);
        if (isThenable(result)) return continueHandlers(batch, i, acc, result);
      } catch (error) {
        fail(acc, error);
        continue;
      }
      succeed(acc, result);
    }
    return endCall();
  }

  /**
   * @param {Batch} batch
   * @param {number} start
   * @param {Acc} firstAcc
   * @param {Untrusted} firstPending
   */
  async function continueHandlers(batch, start, firstAcc, firstPending) {
    const handle = /** @type {NonNullable<typeof handler>} */ (handler);
    const count = batch.count;
    for (let i = start; i < count; i++) {
      let acc = firstAcc;
      let pending = firstPending;
      if (i !== start) {
        acc = begin(i, readRecord(batch));
        try {
          pending = handle(acc.record, ctx);
        } catch (error) {
          fail(acc, error);
          continue;
        }
      }
      let result;
      try {
        result = await pending;
      } catch (error) {
        fail(acc, error);
        continue;
      }
      succeed(acc, result);
    }
    return endCall();
  }

  // ---- stream mode ---------------------------------------------------------------------------
  //
  // One generator per instance, kept across batches. It reads records from an async iterable
  // that hands out the call's records one by one; when it asks for a record the call does not
  // have, every record of the call is complete and the call ends while the generator waits for
  // the next call. A record is complete when the generator asks for the next one (or finishes);
  // what it yields or emits meanwhile belongs to the record read last. If the generator throws,
  // that record fails and a new generator is started for the records after it.

  /** @typedef {(result: IteratorResult<Untrusted>) => void} ResolveRead */
  /** @type {Untrusted} */
  let generator = null;
  /** @type {Function | null} */
  let generatorNext = null;
  let generatorId = 0;
  let generatorRead = false;
  let stepInFlight = false;
  /** @type {ResolveRead | null} */
  let waiter = null;
  /** @type {Batch | null} */
  let records = null;
  let nextIndex = 0;
  let completed = 0;
  /** @type {((text: string) => void) | null} */
  let finishCall = null;

  /**
   * @param {Batch} batch
   * @returns {Promise<string>}
   */
  function runStream(batch) {
    return new PromiseCtor((resolve) => {
      records = batch;
      nextIndex = 0;
      completed = 0;
      finishCall = resolve;
      if (batch.count === 0) {
        maybeFinish();
      } else if (waiter !== null) {
        const resolveRead = waiter;
        waiter = null;
        handOut(resolveRead);
      } else {
        pump();
      }
    });
  }

  function maybeFinish() {
    if (finishCall !== null && records !== null && completed >= records.count) {
      const resolve = finishCall;
      finishCall = null;
      records = null;
      resolve(endCall());
    }
  }

  function completeCurrent() {
    const acc = cur;
    if (acc === null) return;
    if (acc.failed) fail(acc, acc.error);
    else commit(acc);
    completed++;
  }

  /** @param {ResolveRead} resolveRead */
  function handOut(resolveRead) {
    completeCurrent();
    const index = nextIndex++;
    const acc = begin(index, readRecord(/** @type {Batch} */ (records)));
    generatorRead = true;
    resolveRead({ value: acc.record, done: false });
  }

  /**
   * @param {number} id
   * @returns {AsyncIterableIterator<Untrusted>}
   */
  function makeSource(id) {
    /** @type {IteratorReturnResult<undefined>} */
    const DONE = { value: undefined, done: true };
    /** @type {AsyncIterableIterator<Untrusted>} */
    const source = {
      next() {
        if (id !== generatorId) return PromiseResolve(DONE);
        return new PromiseCtor((resolveRead) => {
          if (records !== null && nextIndex < records.count) {
            handOut(resolveRead);
            return;
          }
          completeCurrent();
          if (waiter !== null) waiter({ value: undefined, done: true });
          waiter = resolveRead;
          maybeFinish();
        });
      },
      return() {
        return PromiseResolve(DONE);
      },
      [AsyncIteratorSymbol]() {
        return source;
      },
    };
    return ObjectFreeze(source);
  }

  /** The generator failed: the record it was on (or, if it read none, the next one) fails. */
  /** @param {Untrusted} error */
  function streamFailed(error) {
    generatorId++;
    generator = null;
    generatorNext = null;
    stepInFlight = false;
    waiter = null;
    const acc = cur;
    if (acc !== null) {
      fail(acc, error);
      completed++;
    } else if (records !== null && nextIndex < records.count) {
      const index = nextIndex++;
      fail(begin(index, readRecord(records)), error);
      completed++;
    } else {
      log("error", ["the stream failed between calls:", describeThrown(error).message]);
    }
    maybeFinish();
    pump();
  }

  function startGenerator() {
    generatorId++;
    generatorRead = false;
    stepInFlight = false;
    waiter = null;
    try {
      const stream = /** @type {StreamFunction} */ (streamFunction);
      const iterator = stream(makeSource(generatorId), ctx);
      const next = iterator !== null && typeof iterator === "object" ? iterator.next : undefined;
      if (typeof next !== "function") {
        throw new ErrorCtor(
          "stream(records, ctx) must return an async iterator: write `export async function* stream(records, ctx)`",
        );
      }
      generator = iterator;
      generatorNext = next;
    } catch (error) {
      streamFailed(error);
    }
  }

  function pump() {
    if (finishCall === null || records === null) return;
    if (generator === null) {
      if (nextIndex >= records.count) return;
      startGenerator();
      if (generator === null) return;
    }
    if (stepInFlight) return;
    stepInFlight = true;
    const id = generatorId;
    let step;
    try {
      step = PromiseResolve(ReflectApply(/** @type {Function} */ (generatorNext), generator, []));
    } catch (error) {
      step = PromiseReject(error);
    }
    ReflectApply(PromiseThen, step, [(result) => onStep(id, result), (error) => onThrow(id, error)]);
  }

  /**
   * @param {number} id
   * @param {Untrusted} result
   */
  function onStep(id, result) {
    if (id !== generatorId) return;
    stepInFlight = false;
    let done;
    let value;
    try {
      done = result.done;
      value = result.value;
    } catch (error) {
      streamFailed(error);
      return;
    }
    if (done) {
      generatorId++;
      generator = null;
      generatorNext = null;
      if (cur !== null) {
        completeCurrent();
      } else if (!generatorRead && records !== null && nextIndex < records.count) {
        streamFailed(new ErrorCtor("the stream finished without reading a record"));
        return;
      }
      maybeFinish();
      pump();
      return;
    }
    const acc = cur;
    if (acc === null) {
      streamFailed(new ErrorCtor("the stream yielded before reading a record from `records`"));
      return;
    }
    if (!acc.failed) {
      try {
        addReturned(acc, value, "yielded value");
      } catch (error) {
        acc.failed = true;
        acc.error = error;
      }
    }
    pump();
  }

  /**
   * @param {number} id
   * @param {Untrusted} error
   */
  function onThrow(id, error) {
    if (id !== generatorId) return;
    streamFailed(error);
  }

  // ---- entry point ---------------------------------------------------------------------------

  /**
   * @param {string} text
   * @param {boolean} logsToHost
   * @param {Uint8Array | undefined} bytes
   */
  function runBatch(text, logsToHost, bytes) {
    beginCall(logsToHost);
    const batch = openBatch(text, bytes);
    return streamFunction !== null ? runStream(batch) : runHandlers(batch);
  }

  /**
   * A batch of one record and no byte values, as the host sends most batches of a flow of a
   * few records a second: what runBatch does with it, in fewer steps. Such a call lands in an
   * isolate whose code has not run for a while (one of many, each called a few times a second)
   * and so runs interpreted, out of cold caches, where every function called and object made
   * costs; the host's clock of the call is the record's (no progress calls), the record is the
   * batch text after its count ("1\n"). A handler that answers with a promise continues the
   * general way.
   * @param {string} text
   * @returns {string | Promise<string>}
   */
  function runOne(text) {
    const handle = handler;
    if (handle === null) return runBatch(text, false, undefined);
    resetCall(false);
    const acc = newAcc(0, JSONParse(sliceFrom(text, 2)));
    let result;
    try {
      result = handle(acc.record, ctx);
      if (isThenable(result)) return continueHandlers(openBatch(text, undefined), 0, acc, result);
      addReturned(acc, result, "returned value");
    } catch (error) {
      fail(acc, error);
      return endCall();
    }
    commit(acc);
    return endCall();
  }

  /** @type {Dispatch} */
  return function dispatch(operation, argument, bytes) {
    switch (operation) {
      case "one":
        return runOne(/** @type {string} */ (argument));
      case "batch":
        return runBatch(/** @type {string} */ (argument), false, bytes);
      case "single":
        return runBatch(/** @type {string} */ (argument), true, bytes);
      case "take-bytes": {
        const taken = takenBytes === null ? new Uint8ArrayCtor(0) : takenBytes;
        takenBytes = null;
        return taken;
      }
      case "load":
        return load(argument);
      case "init":
        return runInit();
      default:
        throw new ErrorCtor("unknown operation " + StringCtor(operation));
    }
  };
}
