// One function instance's thread (see guest-worker.ts for the main-thread half). It instantiates
// the jco-transpiled component from precompiled core modules, answers the component's imports
// and runs one call at a time. Plain JavaScript: Node loads it as a worker without a TS loader.
//
// Host imports are synchronous inside the guest. Log lines and progress are handled here;
// a state read the main thread must answer blocks this thread on Atomics.wait until the main
// thread has written the value into the shared buffer. A trap leaves the component unusable:
// the call reports it and the main thread ends this worker.
import { parentPort, workerData } from "node:worker_threads";
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

const portSet = new Set(ports);
const defaultPort = ports[0] ?? "out";

/**
 * Records as the `function` world's `process` takes them, from the host's batch text
 * (instance.ts, `encodeComponentBatch`): a first line with every record's
 * `[key, headers, timestamp]`, then one line per record with the value's JSON text, which is
 * passed on as is (JSON.stringify never writes a raw newline).
 */
function decodeBatch(text) {
  const lines = text.split("\n");
  const metas = JSON.parse(lines[0]);
  const records = new Array(metas.length);
  for (let i = 0; i < metas.length; i++) {
    const [key, headers, timestamp] = metas[i];
    records[i] = { key: key ?? undefined, value: lines[i + 1], headers, timestamp: BigInt(timestamp) };
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
 * A `function`-world outcome in the compact shape the host decodes (instance.ts,
 * `decodeFunctionResult`): value texts are not parsed here but appended to `blob` and referred
 * to by length, so each crosses this thread as text once; the host parses (and so checks) them.
 */
function encodeOutcome(outcome, blob) {
  if (outcome?.tag !== "ok") {
    const error = witError(outcome?.val);
    return error.line === undefined ? { e: error.message } : { e: error.message, l: error.line };
  }
  const done = outcome.val;
  const entry = { o: [], w: [], m: [] };
  for (let n = 0; n < done.outputs.length; n++) {
    const output = done.outputs[n];
    const port = output.port ?? defaultPort;
    if (!portSet.has(port)) {
      entry.x = [
        n,
        `output ${n} goes to port '${port}', which the node does not have (ports: ${ports.join(", ")})`,
      ];
      break;
    }
    const record = output.record;
    const headers = record.headers;
    let headerObject = {};
    if (headers.length > 0) headerObject = Object.fromEntries(headers);
    blob.push(record.value);
    entry.o.push([port, record.key ?? null, headerObject, Number(record.timestamp), record.value.length]);
  }
  if (entry.x !== undefined) return entry;
  for (const write of done.writes) {
    if (write.value === undefined) {
      entry.w.push([write.key, -1]);
    } else {
      blob.push(write.value);
      entry.w.push([write.key, write.value.length]);
    }
  }
  for (const metric of done.metrics) {
    if (!Number.isFinite(metric.value)) {
      entry.mx = `metric '${metric.name}' is not a finite number`;
      break;
    }
    entry.m.push([metric.name, metric.kind === "counter" ? 1 : 0, metric.value]);
  }
  return entry;
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
  const blob = [];
  const entries = outcomes.map((outcome) => encodeOutcome(outcome, blob));
  return `${JSON.stringify(entries)}\n${blob.join("")}`;
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
    const text =
      kind === "js-guest"
        ? await component.dispatch(operation, argument, bytes ?? NO_BYTES)
        : callFunctionWorld(operation, argument);
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
