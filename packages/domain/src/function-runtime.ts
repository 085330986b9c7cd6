import type { JsonValue } from "./json";
import type { PortRecord, WeirRecord } from "./record";

/**
 * The one interface every function runtime (js, wasm, python) implements and the shared conformance
 * suite tests. Records cross the sandbox boundary in batches because each crossing has a
 * fixed cost; outcomes come back one per input record, in input order.
 */
export interface FunctionRuntime {
  readonly name: string;
  /** Checks code without running it; problems carry 1-based line and column. */
  check(source: FunctionSource): Promise<CodeProblem[]>;
  createInstance(spec: FunctionSpec, host: FunctionHost): Promise<FunctionInstance>;
  /**
   * Loads and runs once what a first instance would (compiler, sandbox), so that the first
   * deploy after a start does not pay for it. Engines call it at start, in the background.
   */
  warmUp?(): Promise<void>;
}

export interface FunctionSource {
  code: string;
  /** "python" only for the `python` runtime; the others read TypeScript or JavaScript. */
  language: "typescript" | "javascript" | "python";
}

export interface FunctionSpec extends FunctionSource {
  nodeId: string;
  params: Readonly<Record<string, unknown>>;
  /** The ports ctx.emit may name; returned records go to the first. */
  ports: readonly string[];
  /** Limit for one handler call (and for init); a runaway call is stopped and fails its record. */
  timeoutMs: number;
  /** Heap limit of one instance; exceeding it fails the call and the instance is recreated. */
  memoryLimitMb: number;
  /**
   * A prebuilt WebAssembly component (bytes of a `weir:function` component, `wit/`) for the
   * `wasm` runtime, which then runs it instead of building one from `code`. Other runtimes
   * ignore it.
   */
  component?: Uint8Array;
  /**
   * Python packages for the `python` runtime (function config `requirements`), installed into a
   * cached environment before the first instance starts. Other runtimes ignore them.
   */
  requirements?: readonly string[];
}

/**
 * A function's log. `record` is the record being processed when the line was written, when the
 * runtime can tell (the engine keeps its trace id with the line); absent for load and init.
 */
export interface FunctionLogger {
  debug(message: string, record?: WeirRecord): void;
  info(message: string, record?: WeirRecord): void;
  warn(message: string, record?: WeirRecord): void;
  error(message: string, record?: WeirRecord): void;
}

/**
 * Durable keyed state of one function node, shared by its instances. Writes arrive through
 * `apply`, one call per successful record, in record order: a record that fails leaves no writes,
 * so a retried record never double-counts.
 */
export interface FunctionStateStore {
  get(key: string): Promise<JsonValue | undefined>;
  apply(writes: readonly StateWrite[]): Promise<void>;
}

export type StateWrite = { key: string; value: JsonValue } | { key: string; delete: true };

export interface FunctionMetrics {
  counter(name: string, increment: number): void;
  histogram(name: string, value: number): void;
}

/** What the engine lends a function instance: every capability user code can reach. */
export interface FunctionHost {
  log: FunctionLogger;
  state: FunctionStateStore;
  /** Secret values by name, resolved at deploy time; runtimes must never log them. */
  secrets: Readonly<Record<string, string>>;
  metrics: FunctionMetrics;
}

const ignore = (): void => undefined;

/** A host that hears nothing and keeps no state: for warm-ups and benchmarks, never a deployed node. */
export const SILENT_FUNCTION_HOST: FunctionHost = Object.freeze({
  log: { debug: ignore, info: ignore, warn: ignore, error: ignore },
  state: { get: () => Promise.resolve(undefined), apply: () => Promise.resolve() },
  secrets: {},
  metrics: { counter: ignore, histogram: ignore },
});

export interface CodeProblem {
  message: string;
  line: number;
  column: number;
}

export interface FunctionFailure {
  message: string;
  /** 1-based line in the user's source, when the runtime can tell. */
  line?: number;
  /** True when the instance is unusable afterwards (timeout, crash) and was recreated. */
  instanceReset?: boolean;
}

export type RecordOutcome = { ok: true; outputs: PortRecord[] } | { ok: false; error: FunctionFailure };

export interface FunctionInstance {
  process(batch: readonly WeirRecord[]): Promise<RecordOutcome[]>;
  close(): Promise<void>;
}
