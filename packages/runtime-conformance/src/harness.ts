import { afterEach, beforeAll, expect } from "vitest";
import type {
  FunctionFailure,
  FunctionInstance,
  FunctionRuntime,
  FunctionSource,
  FunctionSpec,
  JsonValue,
  PortRecord,
  RecordOutcome,
  WeirRecord,
} from "@weir/domain";
import type { MemoryHost } from "./memory-host";
import { createMemoryHost } from "./memory-host";

export interface StartOptions {
  language?: FunctionSpec["language"];
  params?: Record<string, unknown>;
  ports?: readonly string[];
  timeoutMs?: number;
  memoryLimitMb?: number;
  secrets?: Record<string, string>;
  /** Reuse a host (and its store) instead of a fresh one. */
  host?: MemoryHost;
}

export interface Started {
  instance: FunctionInstance;
  host: MemoryHost;
}

/** What a runtime may set for itself; every case still runs. */
export interface ConformanceOptions {
  /**
   * Time limit of the memory-bomb case (default: the containment limit, 300 ms). An engine that
   * interprets JavaScript (no JIT, as inside WebAssembly) cannot fill the memory limit within
   * 300 ms, so the case would end as a timeout and prove nothing about memory.
   */
  memoryBombTimeoutMs?: number;
  /**
   * For a runtime of another language: the suite's cases in that language (see
   * dialects/python/). Every case still runs, with the dialect's counterpart of its source.
   */
  dialect?: Dialect;
  /**
   * False for a runtime that does not take byte values (`Uint8Array` values, `ctx.write`) yet:
   * the byte-value cases are then not part of its suite (every runtime here takes them now).
   */
  bytes?: boolean;
}

/** A language other than TypeScript/JavaScript, and its counterpart of each case's source. */
export interface Dialect {
  language: FunctionSource["language"];
  /** The case's source in this language; throws when the dialect has no counterpart. */
  source(code: string): string;
}

export interface Harness {
  readonly options: ConformanceOptions;
  runtime(): FunctionRuntime;
  /** A case's source as the runtime under test reads it (its dialect's counterpart, if any). */
  source(code: string, language?: FunctionSource["language"]): FunctionSource;
  spec(code: string, options?: StartOptions): FunctionSpec;
  /** Creates an instance on a memory host; it is closed after the test. */
  start(code: string, options?: StartOptions): Promise<Started>;
}

/** Limits of the containment tests: short enough to keep the suite quick. */
export const CONTAINMENT_LIMITS = { timeoutMs: 300, memoryLimitMb: 32 } as const;

/** Slow tests (timeouts, restarts) get this much time. */
export const SLOW = 30_000;

export function createHarness(
  makeRuntime: () => FunctionRuntime | Promise<FunctionRuntime>,
  options: ConformanceOptions = {},
): Harness {
  let runtime: FunctionRuntime | undefined;
  const open: FunctionInstance[] = [];
  beforeAll(async () => {
    runtime = await makeRuntime();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((instance) => instance.close()));
  });
  const harness: Harness = {
    options,
    runtime: () => {
      if (!runtime) throw new Error("the runtime is not ready (beforeAll has not run)");
      return runtime;
    },
    source: (code, language = "typescript") =>
      options.dialect
        ? { code: options.dialect.source(code), language: options.dialect.language }
        : { code, language },
    spec: (code, options = {}) => ({
      nodeId: "fn",
      ...harness.source(code, options.language),
      params: options.params ?? {},
      ports: options.ports ?? ["out", "alerts"],
      timeoutMs: options.timeoutMs ?? 2_000,
      memoryLimitMb: options.memoryLimitMb ?? 64,
    }),
    start: async (code, options = {}) => {
      const host = options.host ?? createMemoryHost({ secrets: options.secrets ?? {} });
      const instance = await harness.runtime().createInstance(harness.spec(code, options), host);
      open.push(instance);
      return { instance, host };
    },
  };
  return harness;
}

export function rec(value: JsonValue, fields: Partial<Omit<WeirRecord, "value">> = {}): WeirRecord {
  return { key: "k", value, headers: {}, timestamp: 1_000, ...fields };
}

export function outputsOf(outcome: RecordOutcome | undefined): PortRecord[] {
  if (!outcome?.ok) throw new Error(`expected a successful outcome, got ${JSON.stringify(outcome)}`);
  return outcome.outputs;
}

export function valuesOf(outcome: RecordOutcome | undefined): WeirRecord["value"][] {
  return outputsOf(outcome).map((output) => output.record.value);
}

export function failureOf(outcome: RecordOutcome | undefined): FunctionFailure {
  if (!outcome || outcome.ok) throw new Error(`expected a failed outcome, got ${JSON.stringify(outcome)}`);
  return outcome.error;
}

/** A handler that doubles numbers and runs `attack` for the record whose value is "bad". */
export function guarded(attack: string): string {
  return [
    "export default async function handle(record: { value: unknown }, ctx: any) {",
    '  if (record.value === "bad") {',
    `    ${attack}`,
    "  }",
    "  return { value: (record.value as number) * 2 };",
    "}",
  ].join("\n");
}

/** The line of `attack` in `guarded(attack)`. */
export const ATTACK_LINE = 3;

/**
 * Runs [1, "bad", 3] and then [4] through a `guarded` handler: the bad record fails (checked by
 * `expectFailure`), the records around it and the next batch succeed.
 */
export async function expectContained(
  harness: Harness,
  attack: string,
  expectFailure: (failure: FunctionFailure) => void,
  options: StartOptions = {},
): Promise<Started> {
  const started = await harness.start(guarded(attack), { ...CONTAINMENT_LIMITS, ...options });
  const [before, bad, after] = await started.instance.process([rec(1), rec("bad"), rec(3)]);
  expect(valuesOf(before)).toEqual([2]);
  expectFailure(failureOf(bad));
  expect(valuesOf(after)).toEqual([6]);
  const [next] = await started.instance.process([rec(4)]);
  expect(valuesOf(next)).toEqual([8]);
  return started;
}
