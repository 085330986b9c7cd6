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

/** Records as the `function` world's `process` takes them, from "<count>\n<record JSON>\n…". */
function decodeBatch(text) {
  const lines = text.split("\n");
  const records = [];
  for (let i = 1; i < lines.length; i++) {
    const record = JSON.parse(lines[i]);
    records.push({
      key: record.key ?? undefined,
      value: JSON.stringify(record.value),
      headers: Object.entries(record.headers ?? {}),
      timestamp: BigInt(record.timestamp),
    });
  }
  return records;
}

function witError(error) {
  return {
    message: String(error?.message ?? error),
    ...(error?.line === undefined ? {} : { line: error.line }),
  };
}

/** A `function`-world outcome as the call result's parts (the shape the js guest returns). */
function settleOutcome(result, index, outcome, input) {
  if (outcome?.tag !== "ok") {
    const error = witError(outcome?.val);
    result.outcomes.push({ ok: false, error: { message: error.message } });
    result.failures.push([index, null]);
    if (error.line !== undefined) result.lines.push([index, error.line]);
    return;
  }
  const done = outcome.val;
  try {
    const outputs = done.outputs.map((output, n) => {
      const port = output.port ?? defaultPort;
      if (!portSet.has(port))
        throw new Error(
          `output ${n} goes to port '${port}', which the node does not have (ports: ${ports.join(", ")})`,
        );
      const record = output.record;
      let value;
      try {
        value = JSON.parse(record.value);
      } catch {
        throw new Error(`output ${n} has a value that is not JSON text: ${record.value.slice(0, 80)}`);
      }
      return {
        port,
        record: {
          key: record.key ?? null,
          value,
          headers: Object.fromEntries(record.headers),
          timestamp: Number(record.timestamp ?? input.timestamp),
        },
      };
    });
    const writes = done.writes.map((write) => {
      if (write.value === undefined) return { key: write.key, delete: true };
      try {
        return { key: write.key, value: JSON.parse(write.value) };
      } catch {
        throw new Error(`the state write of '${write.key}' is not JSON text`);
      }
    });
    for (const metric of done.metrics) {
      if (!Number.isFinite(metric.value)) throw new Error(`metric '${metric.name}' is not a finite number`);
    }
    result.outcomes.push({ ok: true, outputs });
    if (writes.length > 0) result.writes.push([index, writes]);
    for (const metric of done.metrics) {
      if (metric.kind === "counter")
        result.counters[metric.name] = (result.counters[metric.name] ?? 0) + metric.value;
      else result.histograms.push([metric.name, metric.value]);
    }
  } catch (error) {
    result.outcomes.push({ ok: false, error: { message: error.message } });
    result.failures.push([index, null]);
  }
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
  outcomes.forEach((outcome, index) => settleOutcome(result, index, outcome, records[index]));
  return JSON.stringify(result);
}

let dead = false;

parentPort.on("message", async ({ id, operation, argument }) => {
  if (dead) {
    post({ type: "result", id, ok: false, trap: "the component trapped earlier" });
    return;
  }
  progress[0] = -1;
  progress[1] = Date.now();
  try {
    const text =
      kind === "js-guest"
        ? await component.dispatch(operation, argument)
        : callFunctionWorld(operation, argument);
    post({ type: "result", id, ok: true, text });
  } catch (error) {
    dead = true;
    let memoryBytes = 0;
    for (const memory of memories) memoryBytes = Math.max(memoryBytes, memory.buffer.byteLength);
    post({ type: "result", id, ok: false, trap: String(error?.message ?? error), memoryBytes });
  }
});

post({ type: "ready" });
