import type {
  FunctionHost,
  FunctionInstance,
  FunctionSpec,
  PortRecord,
  StateWrite,
  WeirRecord,
} from "@weir/domain";
import type { JsonValue } from "@weir/domain";
import { isBytes, jsonTextOf, jsonTextRecord, userError } from "@weir/domain";
import type { CallResult, LoadResult } from "@weir/function-contract";
import { compileForRun, parseCallResult } from "@weir/function-contract";
import { encodeBatchWithBytes } from "@weir/function-contract/guest";
import type { Guest, GuestDriver } from "@weir/function-contract/instance";
import { startBatchedInstance } from "@weir/function-contract/instance";
import type { LoadedComponent } from "./component-cache";
import { loadComponent, sha256 } from "./component-cache";
import { BYTES_HEADER, bytesForComponent, fromComponentOutput } from "./component-bytes";
import { jsGuestComponent } from "./guest-build";
import { GuestWorker } from "./guest-worker";
import type { ComponentInspection } from "@weir/function-contract/component-inspect";
import { inspectComponent } from "./inspect";

/** What runs: the JS guest with the user's compiled code, or a prebuilt component. */
type Runnable =
  | { kind: "js-guest"; component: LoadedComponent; js: string; lines: ReadonlyMap<number, number> }
  | { kind: "function"; component: LoadedComponent };

/**
 * Prepares the guest (builds nothing when the caches have it), starts its worker (load, then
 * init) and returns the instance. Rejects with a user error when the code does not compile, the
 * component is not a Weir component, the module throws while loading, or init fails.
 */
export async function createWasmInstance(spec: FunctionSpec, host: FunctionHost): Promise<FunctionInstance> {
  return startBatchedInstance(spec, host, workerDriver(spec, host, await prepare(spec)));
}

/** Inspections by component hash: every instance of a node checks the same bytes. */
const inspections = new Map<string, Promise<ComponentInspection>>();

function inspectOnce(bytes: Uint8Array): Promise<ComponentInspection> {
  const hash = sha256(bytes);
  let inspection = inspections.get(hash);
  if (!inspection) {
    inspection = inspectComponent(bytes);
    inspections.set(hash, inspection);
  }
  return inspection;
}

async function prepare(spec: FunctionSpec): Promise<Runnable> {
  if (spec.component) {
    const inspection = await inspectOnce(spec.component);
    if (!inspection.ok) {
      throw userError("FUNCTION_ERROR", `not a Weir function component: ${inspection.problems.join("; ")}`, {
        problems: inspection.problems,
      });
    }
    return { kind: "function", component: await loadComponent(spec.component) };
  }
  const compiled = compileForRun(spec);
  const component = await loadComponent(await jsGuestComponent());
  return { kind: "js-guest", component, js: compiled.js, lines: compiled.lines };
}

const NO_HEADERS: [string, string][] = [];

function hasProperties(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

/** A batch for a `weir:function` component, and the JSON text of each record's value in it. */
interface ComponentBatch {
  text: string;
  values: string[];
}

/**
 * A batch for a `weir:function` component: a first line with every record's key, timestamp and
 * headers as one flat JSON array (`key or null, timestamp, headers, (name, value) × headers` per
 * record: one stringify here and one parse in the worker for the whole batch, and no array per
 * record on either side), then one line per record with its value's JSON text, which the worker
 * hands to the component as is (a byte value as base64 text, see component-bytes.ts). A value
 * still in the text a function wrote (jsonTextOf) is sent as that text, not parsed to be written
 * again. Neither JSON.stringify nor such text (compact, see worker/json-text.js) has a raw
 * newline, so lines split cleanly.
 */
function encodeComponentBatch(batch: readonly WeirRecord[]): ComponentBatch {
  const metas: (string | number | null)[] = [];
  const values: string[] = new Array<string>(batch.length);
  let lines = "";
  for (let index = 0; index < batch.length; index++) {
    const record = batch[index] as WeirRecord;
    let valueText = jsonTextOf(record);
    if (valueText === undefined && isBytes(record.value)) {
      const entries = hasProperties(record.headers) ? Object.entries(record.headers) : NO_HEADERS;
      const bytes = bytesForComponent(record.value, entries);
      valueText = bytes.valueText;
      metas.push(record.key ?? null, record.timestamp, bytes.entries.length);
      for (const [name, value] of bytes.entries) metas.push(name, value);
    } else {
      valueText ??= JSON.stringify(record.value);
      // the headers without an array per record or per header
      metas.push(record.key ?? null, record.timestamp, 0);
      const countAt = metas.length - 1;
      const headers = record.headers;
      for (const name in headers) metas.push(name, headers[name] as string);
      metas[countAt] = (metas.length - countAt - 1) / 2;
    }
    values[index] = valueText;
    lines += `\n${valueText}`;
  }
  return { text: JSON.stringify(metas) + lines, values };
}

/** A `weir:function` call's outcomes as the worker sends them: one flat array (host-worker.js, `encodeOutcome`). */
type FlatOutcomes = (string | number | null)[];

/**
 * A component call's result as a CallResult: the outcomes' flat JSON array, a newline, then
 * every output and write value text in order. The worker has checked that every output value is
 * compact JSON text (or marked it as the text of the record's input value, `inputs`), so an
 * output becomes a record whose value is that text, parsed only if something reads it
 * (jsonTextRecord); only a value marked as bytes (component-bytes.ts) is parsed here. A state
 * write's value is parsed, which is also its check. The flat array is walked with a cursor, so
 * decoding builds no object per record beyond the records themselves.
 */
function decodeComponentResult(
  text: string,
  ports: readonly string[],
  inputs: readonly string[],
): CallResult {
  const split = text.indexOf("\n");
  const flat = JSON.parse(text.slice(0, split)) as FlatOutcomes;
  const result: CallResult = {
    outcomes: [],
    failures: [],
    writes: [],
    logs: [],
    counters: {},
    histograms: [],
    lines: [],
  };
  let at = split + 1;
  let i = 0;
  const next = (): string | number | null => flat[i++] ?? null;
  const fail = (index: number, message: string): void => {
    result.outcomes.push({ ok: false, error: { message } });
    result.failures.push([index, null]);
  };
  for (let index = 0; i < flat.length; index++) {
    if (next() === 0) {
      const message = String(next());
      const line = next();
      fail(index, message);
      if (line !== null) result.lines?.push([index, Number(line)]);
      continue;
    }
    let problem: string | undefined;
    const outputs: PortRecord[] = [];
    const outputCount = Number(next());
    for (let n = 0; n < outputCount; n++) {
      const port = ports[Number(next())] ?? "";
      const key = next() as string | null;
      const timestamp = Number(next());
      const length = Number(next());
      const headerCount = Number(next());
      const headers: Record<string, string> = {};
      let bytesMark = false;
      for (let h = 0; h < headerCount; h++) {
        const name = String(next());
        headers[name] = String(next());
        if (name.length === BYTES_HEADER.length && name.toLowerCase() === BYTES_HEADER) bytesMark = true;
      }
      let valueText: string;
      if (length < 0) {
        const input = inputs[index];
        if (input === undefined)
          throw new Error(`the worker answered an output of input ${index}, which the call did not have`);
        valueText = input;
      } else {
        valueText = text.slice(at, at + length);
        at += length;
      }
      if (problem !== undefined) continue;
      if (!bytesMark) {
        outputs.push({ port, record: jsonTextRecord(key, valueText, headers, timestamp) });
        continue;
      }
      // A value as JSON text cannot fail to parse: the worker checked it.
      const output = fromComponentOutput(JSON.parse(valueText), headers);
      if ("problem" in output) {
        problem = `output ${n} ${output.problem}`;
        continue;
      }
      outputs.push({
        port,
        record: { key, value: output.value as WeirRecord["value"], headers: output.headers, timestamp },
      });
    }
    // The worker's problem with the outputs after those above (a bad port, a value not JSON)
    const outputProblem = next();
    if (problem === undefined && outputProblem !== null) problem = String(outputProblem);
    const writes: StateWrite[] = [];
    const writeCount = Number(next());
    for (let n = 0; n < writeCount; n++) {
      const key = String(next());
      const length = Number(next());
      if (length < 0) {
        writes.push({ key, delete: true });
        continue;
      }
      const valueText = text.slice(at, at + length);
      at += length;
      if (problem !== undefined) continue;
      try {
        writes.push({ key, value: JSON.parse(valueText) as JsonValue });
      } catch {
        problem = `the state write of '${key}' is not JSON text`;
      }
    }
    const metricsAt = i;
    i += 1 + 3 * Number(next());
    const badMetric = next();
    if (problem === undefined && badMetric !== null) problem = String(badMetric);
    if (problem !== undefined) {
      fail(index, problem);
      continue;
    }
    result.outcomes.push({ ok: true, outputs });
    if (writes.length > 0) result.writes.push([index, writes]);
    for (let m = metricsAt + 1; m < i - 1; m += 3) {
      const name = String(flat[m]);
      const value = Number(flat[m + 2]);
      if (flat[m + 1] === 1) result.counters[name] = (result.counters[name] ?? 0) + value;
      else result.histograms.push([name, value]);
    }
  }
  return result;
}

/**
 * A line of the user's source from a SpiderMonkey stack: the guest builds the module with
 * `Function("exports", "module", source)`, whose frames read `… > Function:<line>:<column>`,
 * two lines below the source's own.
 */
function userLine(stack: string | null, lines: ReadonlyMap<number, number>): number | undefined {
  if (stack === null) return undefined;
  const match = /> Function:(\d+):\d+/.exec(stack);
  return match?.[1] ? lines.get(Number(match[1]) - 2) : undefined;
}

/** Guests of the `wasm` runtime: one worker thread each, running the component (guest-worker.ts). */
function workerDriver(spec: FunctionSpec, host: FunctionHost, guest: Runnable): GuestDriver {
  return {
    async start(io): Promise<Guest> {
      const worker = await GuestWorker.start({
        component: guest.component,
        kind: guest.kind,
        ports: spec.ports,
        params: spec.params,
        secrets: host.secrets,
        timeoutMs: spec.timeoutMs,
        memoryLimitMb: spec.memoryLimitMb,
        log: io.log,
        getState: io.getState,
      });
      return {
        load: async (): Promise<LoadResult> => {
          // A prebuilt component has nothing to load; its `init` is always called.
          if (guest.kind === "function") return { ok: true, mode: "handler", init: true };
          const config = { ports: spec.ports, params: spec.params, secrets: host.secrets };
          await worker.call("configure", JSON.stringify(config), 1);
          return JSON.parse(await worker.call("load", guest.js, 1)) as LoadResult;
        },
        call: async (operation, batch) => {
          if (operation === "init") return parseCallResult(await worker.call("init", "", 1));
          if (guest.kind === "function") {
            const encoded = encodeComponentBatch(batch);
            return decodeComponentResult(
              await worker.call(operation, encoded.text, batch.length),
              spec.ports,
              encoded.values,
            );
          }
          const { text, bytes } = encodeBatchWithBytes(batch);
          const answer = await worker.callWithBytes(operation, text, batch.length, bytes);
          return parseCallResult(answer.text, answer.bytes, batch);
        },
        dispose: () => {
          worker.dispose();
        },
      };
    },
    userLine: (stack) => (guest.kind === "js-guest" ? userLine(stack, guest.lines) : undefined),
  };
}
