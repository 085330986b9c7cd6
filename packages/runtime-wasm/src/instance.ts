import type {
  FunctionFailure,
  FunctionHost,
  FunctionInstance,
  FunctionSpec,
  PortRecord,
  RecordOutcome,
  StateWrite,
  WeirError,
  WeirRecord,
} from "@weir/domain";
import { errorMessage, userError } from "@weir/domain";
import { compile } from "@weir/runtime-js/compile";
import type { LoadedComponent } from "./component-cache";
import { loadComponent, sha256 } from "./component-cache";
import { jsGuestComponent } from "./guest-build";
import type { LogLevel } from "./guest-worker";
import { GuestDied, GuestWorker } from "./guest-worker";
import type { ComponentInspection } from "./inspect";
import { inspectComponent } from "./inspect";
import { secretRedactor } from "@weir/runtime-js/redact";

/**
 * The JSON text one guest call returns (guest.js builds it for functions written in JS; the
 * worker builds the same shape from a `weir:function` component's outcomes).
 */
interface CallResult {
  outcomes: RecordOutcome[];
  /** [outcome index, stack or null] for every failed outcome. */
  failures: [number, string | null][];
  /** [outcome index, writes] for every successful record that wrote state, in record order. */
  writes: [number, StateWrite[]][];
  logs: [LogLevel, string][];
  counters: Record<string, number>;
  histograms: [string, number][];
  /** [outcome index, line] the component itself reported (`function-error.line`). */
  lines?: [number, number][];
  /** Set by the JS guest when the engine ran out of memory: its state is not to be trusted. */
  fatal?: "memory";
}

type LoadResult =
  | { ok: true; mode: "handler" | "stream"; init: boolean }
  | { ok: false; message: string; stack: string | null };

/** What runs: the JS guest with the user's compiled code, or a prebuilt component. */
type Guest =
  | { kind: "js-guest"; component: LoadedComponent; js: string; lines: ReadonlyMap<number, number> }
  | { kind: "function"; component: LoadedComponent };

/**
 * Prepares the guest (builds nothing when the caches have it), starts its worker (load, then
 * init) and returns the instance. Rejects with a user error when the code does not compile, the
 * component is not a Weir component, the module throws while loading, or init fails.
 */
export async function createWasmInstance(spec: FunctionSpec, host: FunctionHost): Promise<FunctionInstance> {
  const instance = new WasmInstance(spec, host, await prepare(spec));
  await instance.start();
  return instance;
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

async function prepare(spec: FunctionSpec): Promise<Guest> {
  if (spec.component) {
    const inspection = await inspectOnce(spec.component);
    if (!inspection.ok) {
      throw userError("FUNCTION_ERROR", `not a Weir function component: ${inspection.problems.join("; ")}`, {
        problems: inspection.problems,
      });
    }
    return { kind: "function", component: await loadComponent(spec.component) };
  }
  const compiled = compile(spec);
  const first = compiled.problems[0];
  if (first) {
    throw userError("FUNCTION_ERROR", `line ${first.line}, column ${first.column}: ${first.message}`, {
      problems: compiled.problems,
    });
  }
  const component = await loadComponent(await jsGuestComponent());
  return { kind: "js-guest", component, js: compiled.js, lines: compiled.lines };
}

/** "<count>\n<record JSON>\n…": the JS guest parses records one at a time. */
function encodeBatch(batch: readonly WeirRecord[]): string {
  let text = String(batch.length);
  for (const record of batch) text += `\n${JSON.stringify(record)}`;
  return text;
}

const NO_HEADERS: [string, string][] = [];

function hasProperties(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

/**
 * A batch for a `weir:function` component: per record a line `[key, header entries, timestamp]`
 * and a line with the value's JSON text, which the worker hands to the component as is.
 */
function encodeComponentBatch(batch: readonly WeirRecord[]): string {
  let text = "";
  for (const record of batch) {
    const entries = hasProperties(record.headers) ? Object.entries(record.headers) : NO_HEADERS;
    text += `${JSON.stringify([record.key ?? null, entries, record.timestamp])}\n${JSON.stringify(record.value)}\n`;
  }
  return text.slice(0, -1);
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
      try {
        outputs.push({
          port,
          record: { key, value: JSON.parse(valueText) as WeirRecord["value"], headers, timestamp },
        });
      } catch {
        problem = `output ${n} has a value that is not JSON text: ${valueText.slice(0, 80)}`;
      }
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
        writes.push({ key, value: JSON.parse(valueText) as WeirRecord["value"] });
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

function failure(message: string, line: number | undefined, instanceReset = false): FunctionFailure {
  return {
    message,
    ...(line === undefined ? {} : { line }),
    ...(instanceReset ? { instanceReset } : {}),
  };
}

/**
 * One function instance on the host side, as the `js` runtime's: a batch crosses into the
 * worker as one call. When that call dies (a record ran past `timeoutMs`, the memory cap was
 * hit, the component trapped) nothing it did has reached the host, so a new worker is started
 * and the batch's records run again one call each, with the same limit: only the culprit fails,
 * with `instanceReset`, and no state write or metric is counted twice.
 */
class WasmInstance implements FunctionInstance {
  private readonly spec: FunctionSpec;
  private readonly host: FunctionHost;
  private readonly guest: Guest;
  private readonly redact: (text: string) => string;
  private worker: GuestWorker | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(spec: FunctionSpec, host: FunctionHost, guest: Guest) {
    this.spec = spec;
    this.host = host;
    this.guest = guest;
    this.redact = secretRedactor(host.secrets);
  }

  async start(): Promise<void> {
    this.worker = await this.boot();
  }

  process(batch: readonly WeirRecord[]): Promise<RecordOutcome[]> {
    const run = this.tail.then(() => this.run(batch));
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.worker?.dispose();
    this.worker = undefined;
    await this.tail;
  }

  private async run(batch: readonly WeirRecord[]): Promise<RecordOutcome[]> {
    this.checkOpen();
    if (batch.length === 0) return [];
    const worker = this.worker;
    if (!worker) return this.oneByOne(batch);
    let result: CallResult;
    try {
      result = await this.call(worker, "batch", batch);
    } catch (error) {
      if (!(error instanceof GuestDied)) throw error;
      this.worker = undefined;
      this.checkOpen();
      return this.oneByOne(batch);
    }
    return this.settle(result);
  }

  /** One batch call; a guest that ran out of memory is ended like one that trapped. */
  private async call(
    worker: GuestWorker,
    operation: "batch" | "single",
    batch: readonly WeirRecord[],
  ): Promise<CallResult> {
    const result =
      this.guest.kind === "function"
        ? decodeComponentResult(await worker.call(operation, encodeComponentBatch(batch), batch.length))
        : (JSON.parse(await worker.call(operation, encodeBatch(batch), batch.length)) as CallResult);
    if (result.fatal === "memory") {
      worker.dispose();
      throw new GuestDied(
        "memory",
        `out of memory: the function went over its ${this.spec.memoryLimitMb} MiB memory limit`,
      );
    }
    return result;
  }

  private async oneByOne(batch: readonly WeirRecord[]): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = [];
    let restartFailed: string | undefined;
    for (const record of batch) {
      this.checkOpen();
      if (!this.worker && restartFailed === undefined) {
        try {
          this.worker = await this.boot();
        } catch (error) {
          restartFailed = errorMessage(error);
        }
      }
      const worker = this.worker;
      if (!worker) {
        const message = `the function could not be restarted: ${restartFailed ?? "unknown error"}`;
        outcomes.push({ ok: false, error: failure(this.redact(message), undefined, true) });
        continue;
      }
      try {
        outcomes.push(...(await this.settle(await this.call(worker, "single", [record]))));
      } catch (error) {
        if (!(error instanceof GuestDied)) throw error;
        this.worker = undefined;
        outcomes.push({ ok: false, error: failure(this.redact(error.message), undefined, true) });
      }
    }
    return outcomes;
  }

  /** Hands a call's logs, state writes and metrics to the host and finishes its outcomes. */
  private async settle(result: CallResult): Promise<RecordOutcome[]> {
    for (const [level, message] of result.logs) this.log(level, message);
    const reported = new Map(result.lines ?? []);
    for (const [index, stack] of result.failures) {
      const outcome = result.outcomes[index];
      if (outcome && !outcome.ok) {
        const line =
          reported.get(index) ??
          (this.guest.kind === "js-guest" ? userLine(stack, this.guest.lines) : undefined);
        outcome.error = failure(this.redact(outcome.error.message), line);
      }
    }
    for (const [, writes] of result.writes) await this.host.state.apply(writes);
    for (const [name, total] of Object.entries(result.counters)) this.host.metrics.counter(name, total);
    for (const [name, value] of result.histograms) this.host.metrics.histogram(name, value);
    return result.outcomes;
  }

  private async boot(): Promise<GuestWorker> {
    let worker: GuestWorker;
    try {
      worker = await GuestWorker.start({
        component: this.guest.component,
        kind: this.guest.kind,
        ports: this.spec.ports,
        params: this.spec.params,
        secrets: this.host.secrets,
        timeoutMs: this.spec.timeoutMs,
        memoryLimitMb: this.spec.memoryLimitMb,
        log: (level, message) => {
          this.log(level, message);
        },
        getState: async (key) => {
          const value = await this.host.state.get(key);
          return value === undefined ? undefined : JSON.stringify(value);
        },
      });
    } catch (error) {
      throw userError("FUNCTION_ERROR", `the function failed to start: ${this.redact(errorMessage(error))}`);
    }
    try {
      let hasInit = true;
      if (this.guest.kind === "js-guest") {
        await worker.call(
          "configure",
          JSON.stringify({ ports: this.spec.ports, params: this.spec.params, secrets: this.host.secrets }),
          1,
        );
        const loaded = JSON.parse(await worker.call("load", this.guest.js, 1)) as LoadResult;
        if (!loaded.ok) {
          throw this.startError(
            "the module failed to load",
            loaded.message,
            userLine(loaded.stack, this.guest.lines),
          );
        }
        hasInit = loaded.init;
      }
      if (hasInit) {
        const [outcome] = await this.settle(JSON.parse(await worker.call("init", "", 1)) as CallResult);
        if (outcome && !outcome.ok)
          throw this.startError("init failed", outcome.error.message, outcome.error.line);
      }
      return worker;
    } catch (error) {
      worker.dispose();
      if (error instanceof GuestDied) {
        throw userError(
          error.kind === "timeout" ? "FUNCTION_TIMEOUT" : "FUNCTION_ERROR",
          `the function failed to start: ${this.redact(error.message)}`,
        );
      }
      throw error;
    }
  }

  private startError(what: string, message: string, line: number | undefined): WeirError {
    return userError(
      "FUNCTION_ERROR",
      `${what}${line === undefined ? "" : ` at line ${line}`}: ${this.redact(message)}`,
      line === undefined ? undefined : { line },
    );
  }

  private log(level: LogLevel, message: string): void {
    const logger = this.host.log;
    const text = this.redact(message);
    switch (level) {
      case "debug":
        logger.debug(text);
        break;
      case "warn":
        logger.warn(text);
        break;
      case "error":
        logger.error(text);
        break;
      case "info":
        logger.info(text);
        break;
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new Error("the function instance is closed");
  }
}
