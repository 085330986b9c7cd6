// One function instance's thread (see guest-worker.ts for the main-thread half). It instantiates
// the jco-transpiled component from precompiled core modules, answers the component's imports
// and runs one call at a time. Plain JavaScript: Node loads it as a worker without a TS loader.
//
// Host imports are synchronous inside the guest. Log lines and progress are handled here;
// a state read the main thread must answer blocks this thread on Atomics.wait until the main
// thread has written the value into the shared buffer. A trap leaves the component unusable:
// the call reports it and the main thread ends this worker.
import { parentPort, workerData } from "node:worker_threads";
import { COMPACT_JSON, NOT_JSON, checkJsonText } from "./json-text.js";
import { wasiImports } from "./wasi.js";

const { jsUrl, modules, kind, ports, params, secrets, progressBuffer, controlBuffer, dataBuffer } =
  workerData;

/** [0]: index of the record being handled (-1 outside records), [1]: when it started (ms). */
const progress = new Float64Array(progressBuffer);
/** [0]: 0 while a state read waits, 1 when answered; [1]: byte length, -1 for no value, -2 for an error. */
const control = new Int32Array(controlBuffer);
const data = new Uint8Array(dataBuffer);
const decoder = new TextDecoder();

function post(message) {
  parentPort.postMessage(message);
}

function readState(key) {
  Atomics.store(control, 0, 0);
  post({ type: "get", key });
  Atomics.wait(control, 0, 0);
  const length = Atomics.load(control, 1);
  if (length === -1) return undefined;
  const text = decoder.decode(data.slice(0, Math.max(0, length)));
  if (length === -2) throw new Error(text);
  return text;
}

const LEVELS = new Set(["debug", "info", "warn", "error"]);

const imports = {
  ...wasiImports((level, message) => post({ type: "log", level, message })),
  "weir:function/log": {
    log: (level, message) => post({ type: "log", level: LEVELS.has(level) ? level : "info", message }),
  },
  "weir:function/state": { get: readState },
  "weir:function/guest-progress": {
    recordStarted: (index) => {
      progress[0] = index;
      progress[1] = Date.now();
    },
  },
};

/** The memories the component's core instances export, to tell a memory trap from others. */
const memories = [];
const { instantiate } = await import(jsUrl);
const component = instantiate(
  (name) => {
    const module = modules[name];
    if (!module) throw new Error(`the transpiled component has no core module ${name}`);
    return module;
  },
  imports,
  (module, importObject) => {
    const instance = new WebAssembly.Instance(module, importObject);
    for (const value of Object.values(instance.exports)) {
      if (value instanceof WebAssembly.Memory) memories.push(value);
    }
    return instance;
  },
);

/** Each port's index in the node's ports: outputs name their port by index. */
const portIndexes = new Map(ports.map((port, index) => [port, index]));
const defaultPort = ports[0] ?? "out";

/** The headers of a record that has none: jco only reads the list, so one is shared. */
const NO_HEADERS = Object.freeze([]);

/**
 * Records as the `function` world's `process` takes them, from the host's batch text
 * (instance.ts, `encodeComponentBatch`): a first line with every record's key, timestamp and
 * headers as one flat array, then one line per record with the value's JSON text, which is
 * passed on as is (JSON.stringify never writes a raw newline). Timestamps stay numbers: the
 * glue lowers a u64 from a safe integer without making BigInts of it (jco-glue.ts).
 */
function decodeBatch(text) {
  const lines = text.split("\n");
  const metas = JSON.parse(lines[0]);
  const records = new Array(lines.length - 1);
  let at = 0;
  for (let i = 0; i < records.length; i++) {
    const key = metas[at];
    const timestamp = metas[at + 1];
    const headerCount = metas[at + 2];
    at += 3;
    let headers = NO_HEADERS;
    if (headerCount > 0) {
      headers = new Array(headerCount);
      for (let h = 0; h < headerCount; h++, at += 2) headers[h] = [metas[at], metas[at + 1]];
    }
    records[i] = { key: key ?? undefined, value: lines[i + 1], headers, timestamp };
  }
  return records;
}

function witError(error) {
  return {
    message: String(error?.message ?? error),
    ...(error?.line === undefined ? {} : { line: error.line }),
  };
}

/**
 * A `function`-world outcome appended to `flat`, the one flat JSON array the host walks
 * (instance.ts, `decodeComponentResult`): numbers and strings only, no object or array per
 * record, so neither this thread's stringify nor the host's parse builds any per record. Value
 * texts are appended to `blob` and referred to by length, so each crosses this thread as text
 * once; a value that is the text of the record's own input value (an output passed through) is
 * not sent back at all: its length reads -1 and the host takes the text it sent. Every other
 * value is checked here to be JSON text (checkJsonText, which builds nothing), so that the host
 * can pass it on without parsing it; one with whitespace between its tokens is re-written
 * compact, as JSON.stringify writes values everywhere else.
 *
 *   error: 0, message, line or null
 *   ok:    1, outputs, (port index, key or null, timestamp, value length or -1, headers,
 *          (name, value) × headers) × outputs, problem message or null,
 *          writes, (key, value length or -1 to delete) × writes,
 *          metrics, (name, 1 for a counter else 0, value) × metrics, bad metric message or null
 *
 * An output to a port the node does not have, or whose value is not JSON text, ends the outputs
 * there (its message follows the outputs before it), and then no writes or metrics are sent: the
 * record fails anyway.
 */
function encodeOutcome(outcome, flat, blob, input) {
  if (outcome?.tag !== "ok") {
    const error = witError(outcome?.val);
    flat.push(0, error.message, error.line ?? null);
    return;
  }
  const done = outcome.val;
  const outputs = done.outputs;
  flat.push(1, 0);
  const countAt = flat.length - 1;
  let count = 0;
  let problem = null;
  for (let n = 0; n < outputs.length; n++) {
    const output = outputs[n];
    const port = output.port ?? defaultPort;
    const portIndex = portIndexes.get(port);
    if (portIndex === undefined) {
      problem = `output ${n} goes to port '${port}', which the node does not have (ports: ${ports.join(", ")})`;
      break;
    }
    const record = output.record;
    let value = record.value;
    let length = -1;
    if (value !== input.value) {
      const check = checkJsonText(value);
      if (check === NOT_JSON) {
        problem = `output ${n} has a value that is not JSON text: ${value.slice(0, 80)}`;
        break;
      }
      if (check !== COMPACT_JSON) value = JSON.stringify(JSON.parse(value));
      blob.push(value);
      length = value.length;
    }
    const headers = record.headers;
    flat.push(portIndex, record.key ?? null, Number(record.timestamp), length, headers.length);
    for (let h = 0; h < headers.length; h++) flat.push(headers[h][0], headers[h][1]);
    count++;
  }
  flat[countAt] = count;
  flat.push(problem);
  if (problem !== null) {
    flat.push(0, 0, null);
    return;
  }
  const writes = done.writes;
  flat.push(writes.length);
  for (let n = 0; n < writes.length; n++) {
    const write = writes[n];
    if (write.value === undefined) {
      flat.push(write.key, -1);
    } else {
      blob.push(write.value);
      flat.push(write.key, write.value.length);
    }
  }
  const metrics = done.metrics;
  flat.push(0);
  const metricsAt = flat.length - 1;
  let badMetric = null;
  let metricCount = 0;
  for (let n = 0; n < metrics.length; n++) {
    const metric = metrics[n];
    if (!Number.isFinite(metric.value)) {
      badMetric = `metric '${metric.name}' is not a finite number`;
      break;
    }
    flat.push(metric.name, metric.kind === "counter" ? 1 : 0, metric.value);
    metricCount++;
  }
  flat[metricsAt] = metricCount;
  flat.push(badMetric);
}

function emptyResult() {
  return { outcomes: [], failures: [], writes: [], logs: [], counters: {}, histograms: [], lines: [] };
}

/** The `function` world's operations, answered in the js guest's call-result JSON. */
function callFunctionWorld(operation, argument) {
  const result = emptyResult();
  if (operation === "init") {
    try {
      component.init(JSON.stringify(params), Object.entries(secrets));
      result.outcomes.push({ ok: true, outputs: [] });
    } catch (error) {
      // jco throws a returned `err` as a ComponentError carrying the payload
      const failure = witError(error?.payload ?? error);
      result.outcomes.push({ ok: false, error: { message: failure.message } });
      result.failures.push([0, null]);
      if (failure.line !== undefined) result.lines.push([0, failure.line]);
    }
    return JSON.stringify(result);
  }
  const records = decodeBatch(argument);
  progress[0] = 0;
  progress[1] = Date.now();
  const outcomes = component.process(records);
  if (!Array.isArray(outcomes) || outcomes.length !== records.length) {
    throw new Error(
      `process returned ${Array.isArray(outcomes) ? outcomes.length : "no"} outcomes for ${records.length} records`,
    );
  }
  const flat = [];
  const blob = [];
  for (let i = 0; i < outcomes.length; i++) encodeOutcome(outcomes[i], flat, blob, records[i]);
  return `${JSON.stringify(flat)}\n${blob.join("")}`;
}

let dead = false;

const NO_BYTES = new Uint8Array(0);
/** The tail the guest core writes when a call's outputs include bytes (function-contract). */
const BYTES_TAIL = /,"bytes":\d+(,"fatal":"memory")?\}$/;

parentPort.on("message", async ({ id, operation, argument, bytes }) => {
  if (dead) {
    post({ type: "result", id, ok: false, trap: "the component trapped earlier" });
    return;
  }
  progress[0] = -1;
  progress[1] = Date.now();
  try {
    let text =
      kind === "js-guest"
        ? await component.dispatch(operation, argument, bytes ?? NO_BYTES)
        : callFunctionWorld(operation, argument);
    // A long result leaves the JS guest as UTF-8 bytes (guest/wasm-guest.js, TEXT_AS_BYTES_OVER)
    if (kind === "js-guest" && text === "") text = decoder.decode(component.takeBytes());
    if (kind === "js-guest" && typeof text === "string" && BYTES_TAIL.test(text.slice(-40))) {
      // Byte outputs: one more crossing out of the component, then moved (not copied) to the host.
      const out = component.takeBytes();
      parentPort.postMessage({ type: "result", id, ok: true, text, bytes: out }, [out.buffer]);
      return;
    }
    post({ type: "result", id, ok: true, text });
  } catch (error) {
    dead = true;
    let memoryBytes = 0;
    for (const memory of memories) memoryBytes = Math.max(memoryBytes, memory.buffer.byteLength);
    post({ type: "result", id, ok: false, trap: String(error?.message ?? error), memoryBytes });
  }
});

post({ type: "ready" });
