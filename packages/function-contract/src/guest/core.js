// The runtime's half inside each function's isolate. sandbox.ts evaluates this file (as text,
// never imported by Node) before the user's module and keeps only the `dispatch` function it
// returns. Everything the function can reach comes from here: ctx, console and the language's
// own builtins; nothing of Node.
//
// Records arrive as one JSON string per call and outcomes leave as one JSON string, built by
// concatenation; logs, state writes and metrics travel inside that string, so a batch costs one
// crossing each way. The only calls back to the host are reads of state the batch has not seen
// and, outside batches (module load, init, one-record retries), log lines.
//
// User code shares this realm and may replace globals or poison prototypes (Object.prototype.x,
// Array.prototype.push = null, setters on Object.prototype). The bookkeeping below therefore
// uses intrinsics captured before user code runs, objects without prototypes, class fields
// (defined, never assigned through the prototype chain), index loops and string building, and
// never calls a method reachable from user code.
//
// The script's completion value is this function expression: sandbox.ts runs the script and calls it.
// eslint-disable-next-line @typescript-eslint/no-unused-expressions -- see the line above
(function weirBootstrap(configJson, hostGet, hostLog, progressBuffer) {
  "use strict";

  const globalObject = globalThis;
  const ObjectCreate = Object.create;
  const ObjectFreeze = Object.freeze;
  const ObjectKeys = Object.keys;
  const ObjectDefineProperty = Object.defineProperty;
  const ObjectGetPrototypeOf = Object.getPrototypeOf;
  const ObjectSetPrototypeOf = Object.setPrototypeOf;
  const ArrayIsArray = Array.isArray;
  const JSONParse = JSON.parse;
  const JSONStringify = JSON.stringify;
  const ReflectApply = Reflect.apply;
  const NumberIsInteger = Number.isInteger;
  const NumberIsFinite = Number.isFinite;
  const StringCtor = String;
  const StringSlice = String.prototype.slice;
  const StringIndexOf = String.prototype.indexOf;
  const DateNow = Date.now;
  const PromiseCtor = Promise;
  const PromisePrototype = Promise.prototype;
  const PromiseThen = Promise.prototype.then;
  const PromiseResolve = Promise.resolve.bind(Promise);
  const PromiseReject = Promise.reject.bind(Promise);
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const AsyncIteratorSymbol = Symbol.asyncIterator;
  const hostGetApply = hostGet.apply;
  const HOST_GET_OPTIONS = { __proto__: null, result: { __proto__: null, promise: true } };

  /** [0]: index of the record being handled (-1 outside records), [1]: when it started (ms). */
  const progress = new Float64Array(progressBuffer);

  const MAX_MESSAGE = 8192;
  const MAX_STACK = 16384;
  const MAX_LOG_LINES = 10000;
  const MAX_LOG_BYTES = 4 * 1024 * 1024;
  const DELETED = ObjectFreeze(ObjectCreate(null));
  const ABSENT = ObjectFreeze(ObjectCreate(null));

  const dict = () => ObjectCreate(null);
  const clip = (text, max) =>
    text.length > max ? ReflectApply(StringSlice, text, [0, max]) + "… (truncated)" : text;

  function deepFreeze(value) {
    if (value !== null && typeof value === "object") {
      const keys = ObjectKeys(value);
      for (let i = 0; i < keys.length; i++) deepFreeze(value[keys[i]]);
      ObjectFreeze(value);
    }
    return value;
  }

  // ---- configuration -------------------------------------------------------------------------

  const config = JSONParse(configJson);
  const portSet = dict();
  let portList = "";
  for (let i = 0; i < config.ports.length; i++) {
    portSet[config.ports[i]] = true;
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
  let counters = dict();
  let histograms = "";
  let histogramCount = 0;
  /** Writes of this call's successful records: key → JSON text or DELETED. */
  let committed = dict();
  /** Host state read during this call: key → JSON text or ABSENT. */
  let hostCache = dict();
  let callSerial = 0;
  /** The record being handled: ctx calls act on it. */
  let cur = null;

  function beginCall(logsToHost) {
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
    counters = dict();
    histograms = "";
    histogramCount = 0;
    committed = dict();
    hostCache = dict();
    callSerial++;
    cur = null;
    progress[0] = -1;
    progress[1] = DateNow();
  }

  function endCall() {
    cur = null;
    progress[0] = -1;
    if (droppedLogs > 0) {
      const note = droppedLogs + " log lines were dropped (over the limit of one call)";
      droppedLogs = 0;
      if (streamLogs) hostLog("warn", note);
      else logs += (logCount++ > 0 ? "," : "") + '["warn",' + JSONStringify(note) + "]";
    }
    let countersJson = "{";
    let first = true;
    for (const name in counters) {
      const total = counters[name];
      if (!NumberIsFinite(total)) continue;
      countersJson += (first ? "" : ",") + JSONStringify(name) + ":" + total;
      first = false;
    }
    const result =
      '{"outcomes":[' +
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
      "]}";
    beginCall(false);
    return result;
  }

  // ---- records -------------------------------------------------------------------------------

  /** What one record (or init) has done so far; it reaches the outcome only if the record succeeds. */
  class Acc {
    index = 0;
    inInit = false;
    record = null;
    key = null;
    headers = null;
    timestamp = 0;
    meta = null;
    outputs = "";
    outputCount = 0;
    writes = null;
    writeLog = "";
    writeCount = 0;
    counters = null;
    histograms = "";
    histogramCount = 0;
    failed = false;
    error = undefined;
  }

  function begin(index, record) {
    progress[0] = index;
    progress[1] = DateNow();
    const acc = new Acc();
    acc.index = index;
    if (record !== null && typeof record === "object") {
      acc.record = record;
      const key = record.key;
      acc.key = key === undefined ? null : key;
      const headers = record.headers;
      acc.headers = headers === undefined || headers === null ? {} : headers;
      acc.timestamp = record.timestamp;
    } else {
      acc.headers = {};
    }
    cur = acc;
    return acc;
  }

  function commit(acc) {
    if (cur === acc) cur = null;
    outcomes += (outcomeCount++ > 0 ? "," : "") + '{"ok":true,"outputs":[' + acc.outputs + "]}";
    if (acc.writeCount > 0) {
      const own = acc.writes;
      for (const key in own) committed[key] = own[key];
      writes += (writeCount++ > 0 ? "," : "") + "[" + acc.index + ",[" + acc.writeLog + "]]";
    }
    if (acc.counters !== null) {
      const own = acc.counters;
      for (const name in own) counters[name] = (name in counters ? counters[name] : 0) + own[name];
    }
    if (acc.histogramCount > 0) {
      histograms += (histogramCount > 0 ? "," : "") + acc.histograms;
      histogramCount += acc.histogramCount;
    }
  }

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

  function succeed(acc, returned) {
    try {
      addReturned(acc, returned, "returned value");
    } catch (error) {
      fail(acc, error);
      return;
    }
    commit(acc);
  }

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

  function addOutput(acc, portJson, recordJson) {
    acc.outputs +=
      (acc.outputCount++ > 0 ? "," : "") + '{"port":' + portJson + ',"record":' + recordJson + "}";
  }

  const notARecord = (what) =>
    new ErrorCtor(what + " is not a record: expected an object with a 'value' field");
  const invalid = (what, reason) => new ErrorCtor(what + " is not a valid record: " + reason);

  /**
   * The JSON shape of an output record. Its prototype chain is empty, so JSON.stringify finds no
   * toJSON on it even when the function has put one on Object.prototype.
   */
  class RecordJson {
    key = null;
    value = null;
    headers = null;
    timestamp = 0;
  }
  ObjectSetPrototypeOf(RecordJson.prototype, null);
  const NO_HEADERS = ObjectFreeze(ObjectCreate(null));

  /** A returned, yielded or emitted record as JSON; omitted key, headers and timestamp come from the input. */
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
    if (headers === undefined || headers === null) headers = acc.headers;
    let timestamp = item.timestamp;
    if (timestamp === undefined || timestamp === null) timestamp = acc.timestamp;
    else if (typeof timestamp !== "number" || !NumberIsInteger(timestamp) || timestamp < 0) {
      throw invalid(what, "timestamp must be a non-negative integer (milliseconds since the epoch)");
    }
    const json = new RecordJson();
    json.key = key;
    json.value = value;
    json.headers = copyHeaders(headers, what);
    json.timestamp = timestamp;
    // A value with a toJSON (a Date, or anything once Object.prototype.toJSON is set) may turn
    // into nothing, which would drop the field: it is serialised on its own and checked.
    const custom =
      (typeof value === "object" || typeof value === "bigint") &&
      value !== null &&
      value.toJSON !== undefined;
    let valueJson;
    try {
      if (!custom) return JSONStringify(json);
      valueJson = JSONStringify(value);
    } catch (error) {
      throw invalid(what, "its value is not JSON (" + describeThrown(error).message + ")");
    }
    if (valueJson === undefined) throw invalid(what, "its value is not JSON");
    json.value = null;
    const text = JSONStringify(json);
    // {"key":…,"value":null,… → splice the value's JSON in place of the null.
    const at = 7 + (key === null ? 4 : JSONStringify(key).length) + 9;
    return ReflectApply(StringSlice, text, [0, at]) + valueJson + ReflectApply(StringSlice, text, [at + 4]);
  }

  /** Headers checked to be strings, copied into an object JSON.stringify cannot be tricked by. */
  function copyHeaders(headers, what) {
    if (typeof headers !== "object" || ArrayIsArray(headers)) {
      throw invalid(what, "headers must be an object of strings");
    }
    const names = ObjectKeys(headers);
    const count = names.length;
    if (count === 0) return NO_HEADERS;
    const copy = ObjectCreate(null);
    for (let i = 0; i < count; i++) {
      const name = names[i];
      const value = headers[name];
      if (typeof value !== "string") throw invalid(what, "header '" + name + "' must be a string");
      copy[name] = value;
    }
    return copy;
  }

  class Failure {
    message = "";
    stack = null;
  }

  /** Message (and stack, for the host to find the user's line) of anything thrown or rejected. */
  function describeThrown(thrown) {
    const failure = new Failure();
    try {
      if (thrown !== null && (typeof thrown === "object" || typeof thrown === "function")) {
        const message = thrown.message;
        if (typeof message === "string") {
          const name = thrown.name;
          failure.message =
            typeof name === "string" && name !== "" && name !== "Error" ? name + ": " + message : message;
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
      logs += (logCount++ > 0 ? "," : "") + "[" + JSONStringify(level) + "," + JSONStringify(message) + "]";
    }
  }

  const logger = ObjectFreeze({
    debug: (...args) => log("debug", args),
    info: (...args) => log("info", args),
    warn: (...args) => log("warn", args),
    error: (...args) => log("error", args),
  });

  function checkKey(key, what) {
    if (typeof key !== "string") throw new TypeErrorCtor(what + ": the key must be a string");
  }

  /** What this call knows about a key: JSON text, DELETED, ABSENT, or undefined (ask the host). */
  function known(key) {
    const acc = cur;
    if (acc !== null && acc.writes !== null && key in acc.writes) return acc.writes[key];
    if (key in committed) return committed[key];
    if (key in hostCache) return hostCache[key];
    return undefined;
  }

  async function stateGet(key) {
    checkKey(key, "ctx.state.get");
    let entry = known(key);
    if (entry === undefined) {
      const serial = callSerial;
      let json = await ReflectApply(hostGetApply, hostGet, [undefined, [key], HOST_GET_OPTIONS]);
      // isolated-vm settles this promise with another promise, adopted through `.then`; if the
      // function has replaced Promise.prototype.then that adoption yields the inner promise.
      while (json !== null && typeof json === "object" && ObjectGetPrototypeOf(json) === PromisePrototype) {
        json = await json;
      }
      const fetched = typeof json === "string" ? json : ABSENT;
      if (serial === callSerial && !(key in hostCache)) hostCache[key] = fetched;
      entry = known(key);
      if (entry === undefined) entry = fetched;
    }
    return entry === DELETED || entry === ABSENT ? undefined : JSONParse(entry);
  }

  function addWrite(acc, key, json, logEntry) {
    if (acc.writes === null) acc.writes = dict();
    acc.writes[key] = json;
    acc.writeLog += (acc.writeCount++ > 0 ? "," : "") + logEntry;
  }

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

  function stateDelete(key) {
    checkKey(key, "ctx.state.delete");
    const acc = activeAcc("ctx.state.delete");
    addWrite(acc, key, DELETED, '{"key":' + JSONStringify(key) + ',"delete":true}');
  }

  function checkMetric(name, amount, what) {
    if (typeof name !== "string" || name === "")
      throw new TypeErrorCtor(what + ": the name must be a non-empty string");
    if (typeof amount !== "number" || !NumberIsFinite(amount)) {
      throw new TypeErrorCtor(what + ": the amount must be a finite number");
    }
  }

  function counter(name, increment) {
    const amount = increment === undefined ? 1 : increment;
    checkMetric(name, amount, "ctx.metrics.counter");
    const acc = activeAcc("ctx.metrics.counter");
    if (acc.counters === null) acc.counters = dict();
    const own = acc.counters;
    own[name] = (name in own ? own[name] : 0) + amount;
  }

  function histogram(name, value) {
    checkMetric(name, value, "ctx.metrics.histogram");
    const acc = activeAcc("ctx.metrics.histogram");
    acc.histograms += (acc.histogramCount++ > 0 ? "," : "") + "[" + JSONStringify(name) + "," + value + "]";
  }

  function emit(port, record) {
    const acc = activeAcc("ctx.emit");
    if (acc.inInit) throw new ErrorCtor("ctx.emit is not available in init: there is no record yet");
    if (typeof port !== "string" || !(port in portSet)) {
      throw new ErrorCtor("ctx.emit: no output port '" + StringCtor(port) + "' (ports: " + portList + ")");
    }
    const portJson = JSONStringify(port);
    addOutput(acc, portJson, encodeRecord(record, acc, "ctx.emit('" + port + "', …) argument"));
  }

  const ctx = ObjectFreeze({
    log: logger,
    state: ObjectFreeze({ get: stateGet, put: statePut, delete: stateDelete }),
    params,
    secrets,
    metrics: ObjectFreeze({ counter, histogram }),
    emit,
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
  // Not part of the contract, and WebAssembly memories are allocated outside the heap limit.
  delete globalObject.WebAssembly;

  // ---- the user's module ---------------------------------------------------------------------

  let handler = null;
  let streamFunction = null;
  let initFunction = null;

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

  function load(moduleFunction) {
    beginCall(true);
    const exportsObject = dict();
    const moduleObject = dict();
    moduleObject.exports = exportsObject;
    try {
      moduleFunction(exportsObject, moduleObject);
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
      progress[0] = -1;
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
  }

  function openBatch(text) {
    const batch = new Batch();
    const end = ReflectApply(StringIndexOf, text, ["\n"]);
    batch.text = text;
    batch.count = end === -1 ? 0 : +ReflectApply(StringSlice, text, [0, end]);
    batch.position = end + 1;
    return batch;
  }

  function readRecord(batch) {
    const text = batch.text;
    let end = ReflectApply(StringIndexOf, text, ["\n", batch.position]);
    if (end === -1) end = text.length;
    const record = JSONParse(ReflectApply(StringSlice, text, [batch.position, end]));
    batch.position = end + 1;
    return record;
  }

  // ---- handler mode --------------------------------------------------------------------------

  /** Runs records synchronously until a handler returns a promise, then continues asynchronously. */
  function runHandlers(batch) {
    const count = batch.count;
    for (let i = 0; i < count; i++) {
      const acc = begin(i, readRecord(batch));
      let result;
      try {
        result = handler(acc.record, ctx);
        if (isThenable(result)) return continueHandlers(batch, i, acc, result);
      } catch (error) {
        fail(acc, error);
        continue;
      }
      succeed(acc, result);
    }
    return endCall();
  }

  async function continueHandlers(batch, start, firstAcc, firstPending) {
    const count = batch.count;
    for (let i = start; i < count; i++) {
      let acc = firstAcc;
      let pending = firstPending;
      if (i !== start) {
        acc = begin(i, readRecord(batch));
        try {
          pending = handler(acc.record, ctx);
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

  let generator = null;
  let generatorNext = null;
  let generatorId = 0;
  let generatorRead = false;
  let stepInFlight = false;
  let waiter = null;
  let records = null;
  let nextIndex = 0;
  let completed = 0;
  let finishCall = null;

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

  function handOut(resolveRead) {
    completeCurrent();
    const index = nextIndex++;
    const acc = begin(index, readRecord(records));
    generatorRead = true;
    resolveRead({ value: acc.record, done: false });
  }

  function makeSource(id) {
    const source = {
      next() {
        if (id !== generatorId) return PromiseResolve({ value: undefined, done: true });
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
        return PromiseResolve({ value: undefined, done: true });
      },
      [AsyncIteratorSymbol]() {
        return source;
      },
    };
    return ObjectFreeze(source);
  }

  /** The generator failed: the record it was on (or, if it read none, the next one) fails. */
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
      const iterator = streamFunction(makeSource(generatorId), ctx);
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
      step = PromiseResolve(ReflectApply(generatorNext, generator, []));
    } catch (error) {
      step = PromiseReject(error);
    }
    ReflectApply(PromiseThen, step, [(result) => onStep(id, result), (error) => onThrow(id, error)]);
  }

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

  function onThrow(id, error) {
    if (id !== generatorId) return;
    streamFailed(error);
  }

  // ---- entry point ---------------------------------------------------------------------------

  function runBatch(text, logsToHost) {
    beginCall(logsToHost);
    const batch = openBatch(text);
    return streamFunction !== null ? runStream(batch) : runHandlers(batch);
  }

  return function dispatch(operation, argument) {
    switch (operation) {
      case "batch":
        return runBatch(argument, false);
      case "single":
        return runBatch(argument, true);
      case "load":
        return load(argument);
      case "init":
        return runInit();
      default:
        throw new ErrorCtor("unknown operation " + StringCtor(operation));
    }
  };
});
