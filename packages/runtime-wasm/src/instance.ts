import type {
  FunctionHost,
  FunctionInstance,
  FunctionSpec,
  PortRecord,
  StateWrite,
  WeirRecord,
} from "@weir/domain";
import type { JsonValue } from "@weir/domain";
import { isBytes, userError } from "@weir/domain";
import type { CallResult, LoadResult } from "@weir/function-contract";
import { compileForRun, parseCallResult } from "@weir/function-contract";
import { encodeBatchWithBytes } from "@weir/function-contract/guest";
import type { Guest, GuestDriver } from "@weir/function-contract/instance";
import { startBatchedInstance } from "@weir/function-contract/instance";
import type { LoadedComponent } from "./component-cache";
import { loadComponent, sha256 } from "./component-cache";
import { bytesForComponent, fromComponentOutput } from "./component-bytes";
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

/**
 * A batch for a `weir:function` component: a first line with every record's
 * `[key, header entries, timestamp]` as one JSON array (one stringify here, one parse in the
 * worker, for the whole batch), then one line per record with its value's JSON text, which the
 * worker hands to the component as is (a byte value as base64 text, see component-bytes.ts).
 * `JSON.stringify` never writes a raw newline, so lines split cleanly.
 */
function encodeComponentBatch(batch: readonly WeirRecord[]): string {
  const metas: [string | null, [string, string][], number][] = [];
  let values = "";
  for (const record of batch) {
    let entries = hasProperties(record.headers) ? Object.entries(record.headers) : NO_HEADERS;
    let valueText: string;
    if (isBytes(record.value)) ({ entries, valueText } = bytesForComponent(record.value, entries));
    else valueText = JSON.stringify(record.value);
    metas.push([record.key ?? null, entries, record.timestamp]);
    values += `\n${valueText}`;
  }
  return JSON.stringify(metas) + values;
}

/** A `weir:function` outcome as the worker sends it (host-worker.js, `encodeOutcome`). */
type ComponentEntry =
  | { e: string; l?: number }
  | {
      /** outputs: [port, key, headers, timestamp, length of the value text in the blob] */
      o: [string, string | null, Record<string, string>, number, number][];
      /** writes: [key, length of the value text, -1 to delete] */
      w: [string, number][];
      /** metrics: [name, 1 for a counter, value] */
      m: [string, number, number][];
      /** the first output that goes to a port the node does not have: [index, message] */
      x?: [number, string];
      /** a metric that is not a finite number */
      mx?: string;
    };

/**
 * A component call's result as a CallResult: the entries' JSON, a newline, then every output and
 * write value text in order. Each value is parsed here; one that is not JSON fails its record.
 */
function decodeComponentResult(text: string): CallResult {
  const split = text.indexOf("\n");
  const entries = JSON.parse(text.slice(0, split)) as ComponentEntry[];
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
  const fail = (index: number, message: string): void => {
    result.outcomes.push({ ok: false, error: { message } });
    result.failures.push([index, null]);
  };
  for (const [index, entry] of entries.entries()) {
    if ("e" in entry) {
      fail(index, entry.e);
      if (entry.l !== undefined) result.lines?.push([index, entry.l]);
      continue;
    }
    let problem: string | undefined;
    const outputs: PortRecord[] = [];
    for (const [n, [port, key, headers, timestamp, length]] of entry.o.entries()) {
      const valueText = text.slice(at, at + length);
      at += length;
      if (problem !== undefined) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(valueText);
      } catch {
        problem = `output ${n} has a value that is not JSON text: ${valueText.slice(0, 80)}`;
        continue;
      }
      const output = fromComponentOutput(parsed, headers);
      if ("problem" in output) {
        problem = `output ${n} ${output.problem}`;
        continue;
      }
      outputs.push({
        port,
        record: { key, value: output.value as WeirRecord["value"], headers: output.headers, timestamp },
      });
    }
    if (problem === undefined && entry.x) problem = entry.x[1];
    const writes: StateWrite[] = [];
    for (const [key, length] of entry.w) {
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
    problem ??= entry.mx;
    if (problem !== undefined) {
      fail(index, problem);
      continue;
    }
    result.outcomes.push({ ok: true, outputs });
    if (writes.length > 0) result.writes.push([index, writes]);
    for (const [name, counter, value] of entry.m) {
      if (counter === 1) result.counters[name] = (result.counters[name] ?? 0) + value;
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
          if (guest.kind === "function")
            return decodeComponentResult(
              await worker.call(operation, encodeComponentBatch(batch), batch.length),
            );
          const { text, bytes } = encodeBatchWithBytes(batch);
          const answer = await worker.callWithBytes(operation, text, batch.length, bytes);
          return parseCallResult(answer.text, answer.bytes);
        },
        dispose: () => {
          worker.dispose();
        },
      };
    },
    userLine: (stack) => (guest.kind === "js-guest" ? userLine(stack, guest.lines) : undefined),
  };
}
