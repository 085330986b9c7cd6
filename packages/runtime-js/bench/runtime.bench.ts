// `npm run bench` at the root: records per second through the isolated runtime against a direct,
// in-process call of the same compiled function, for several batch sizes. Not part of `npm test`.
import os from "node:os";
import { SILENT_FUNCTION_HOST } from "@weir/domain";
import type { RecordOutcome, WeirRecord } from "@weir/domain";
import { compile } from "@weir/function-contract";
import { BENCH_ORDER_TRANSFORM, benchOrder } from "@weir/testkit/bench-orders";
import { jsRuntime } from "../src/index";

/** A small event: about 120 bytes of JSON. */
function event(i: number): WeirRecord {
  return {
    key: `user-${i % 100}`,
    value: { id: i, user: `user-${i % 100}`, amount: 19.99, qty: 3, currency: "EUR" },
    headers: {},
    timestamp: 1_700_000_000_000 + i,
  };
}

interface Case {
  name: string;
  code: string;
  record: (i: number) => WeirRecord;
}

const CASES: Case[] = [
  { name: "identity", code: "export default (record) => record;", record: benchOrder },
  {
    name: "json transform",
    code: BENCH_ORDER_TRANSFORM,
    record: benchOrder,
  },
  {
    name: "small transform",
    code: `export default (record) => {
  const event = record.value;
  return { value: { eventId: event.id, userId: event.user, total: event.amount * event.qty, currency: event.currency, processed: true } };
};`,
    record: event,
  },
];

const BATCH_SIZES = [1, 10, 100, 1000];
/**
 * BENCH_READ_OUTPUTS=1: every output value is read after its batch. A function's JSON outputs
 * are kept as the sandbox's text and parsed only when something reads them (jsonTextRecord in
 * @weir/domain); by default nothing here reads them, as a log sink trimming to its `keep` or a
 * Kafka sink does not. With this set, the isolated figures include parsing every output.
 */
const READ_OUTPUTS = process.env.BENCH_READ_OUTPUTS === "1";
const REPETITIONS = 5;
const MIN_RECORDS = 5_000;
const MIN_MS = 300;

const host = SILENT_FUNCTION_HOST;

type Process = (batch: readonly WeirRecord[]) => Promise<unknown>;

/** Reads every output's value (parsing those still in text); answers how many were objects. */
function readOutputs(outcomes: RecordOutcome[]): number {
  let objects = 0;
  for (const outcome of outcomes) {
    if (!outcome.ok) continue;
    for (const output of outcome.outputs) if (typeof output.record.value === "object") objects++;
  }
  return objects;
}

/** The same compiled module, evaluated in this process and called record by record. */
function directProcess(code: string): Process {
  const { js } = compile({ code, language: "javascript" });
  const exports: Record<string, unknown> = {};
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the baseline runs the same code in-process
  const load = new Function("exports", "module", js) as (
    exports: Record<string, unknown>,
    module: { exports: Record<string, unknown> },
  ) => void;
  load(exports, { exports });
  const handle = exports.default as (record: WeirRecord, ctx: unknown) => unknown;
  const ctx = {};
  return (batch) => {
    const outputs: unknown[] = [];
    for (const record of batch) outputs.push(handle(record, ctx));
    return Promise.resolve(outputs);
  };
}

interface Run {
  recordsPerSecond: number;
  cpuPerWall: number;
  /** Process CPU (every thread: the isolate's pool, the collector) per record, µs. */
  cpuUsPerRecord: number;
}

async function measure(process: Process, batch: readonly WeirRecord[]): Promise<Run> {
  const started = performance.now();
  const cpuStarted = globalThis.process.cpuUsage();
  let records = 0;
  while (records < MIN_RECORDS || performance.now() - started < MIN_MS) {
    await process(batch);
    records += batch.length;
  }
  const elapsedMs = performance.now() - started;
  const cpu = globalThis.process.cpuUsage(cpuStarted);
  return {
    recordsPerSecond: (records / elapsedMs) * 1000,
    cpuPerWall: (cpu.user + cpu.system) / 1000 / elapsedMs,
    cpuUsPerRecord: (cpu.user + cpu.system) / records,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function medianOf(process: Process, batch: readonly WeirRecord[]): Promise<Run> {
  await measure(process, batch); // warm-up
  const runs: Run[] = [];
  for (let i = 0; i < REPETITIONS; i++) runs.push(await measure(process, batch));
  return {
    recordsPerSecond: median(runs.map((r) => r.recordsPerSecond)),
    cpuPerWall: median(runs.map((r) => r.cpuPerWall)),
    cpuUsPerRecord: median(runs.map((r) => r.cpuUsPerRecord)),
  };
}

const format = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

const SPEC = {
  nodeId: "bench",
  language: "javascript" as const,
  params: {},
  ports: ["out"],
  timeoutMs: 5_000,
  memoryLimitMb: 128,
};

/**
 * Deploy → first output of one function: compile, start (isolate, bootstrap, module, init) and
 * the first record through it, against the same in-process (compile, evaluate, call). The first
 * instance of a process is timed on its own: it also pays for loading the runtime.
 */
async function firstOutput(code: string, record: WeirRecord): Promise<{ isolated: number; direct: number }> {
  const started = performance.now();
  const instance = await jsRuntime.createInstance({ ...SPEC, code }, host);
  await instance.process([record]);
  const isolated = performance.now() - started;
  await instance.close();
  const directStarted = performance.now();
  await directProcess(code)([record]);
  return { isolated, direct: performance.now() - directStarted };
}

async function deployToFirstOutput(): Promise<void> {
  const json = CASES[1] as Case;
  // Each start compiles anew: a comment makes every source distinct.
  const source = (n: number): string => `${json.code}\n// start ${n}`;
  const cold = await firstOutput(source(0), json.record(0));
  const warm: { isolated: number; direct: number }[] = [];
  for (let i = 1; i <= 9; i++) warm.push(await firstOutput(source(i), json.record(i)));
  const isolated = median(warm.map((run) => run.isolated));
  const direct = median(warm.map((run) => run.direct));
  globalThis.process.stdout.write(
    `deploy → first output (json transform: compile, start, one record; target < 300 ms):\n` +
      `  first in the process ${format(cold.isolated, 1)} ms (direct ${format(cold.direct, 1)} ms); ` +
      `median of the next 9: ${format(isolated, 1)} ms (direct ${format(direct, 1)} ms, ratio ${format(isolated / direct, 1)}×)\n\n`,
  );
}

async function main(): Promise<void> {
  const cpu = os.cpus()[0]?.model ?? "unknown cpu";
  globalThis.process.stdout.write(
    `js runtime benchmark — Node ${globalThis.process.version} ${globalThis.process.execArgv.filter((a) => a.startsWith("--") && a !== "--import").join(" ")}, ${os.cpus().length} × ${cpu}\n` +
      `medians of ${REPETITIONS} runs (each ≥ ${format(MIN_RECORDS)} records and ≥ ${MIN_MS} ms, after a warm-up)\n` +
      `identity and json transform: orders of ${JSON.stringify(benchOrder(0)).length} bytes of JSON; ` +
      `small transform: events of ${JSON.stringify(event(0)).length} bytes\n` +
      `output values read after each batch: ${READ_OUTPUTS ? "yes (BENCH_READ_OUTPUTS=1)" : "no (BENCH_READ_OUTPUTS=1 reads them)"}\n\n`,
  );
  await deployToFirstOutput();
  const header = [
    "function".padEnd(15),
    "batch".padStart(6),
    "direct rec/s".padStart(14),
    "isolated rec/s".padStart(15),
    "ratio".padStart(7),
    "µs/rec isolated".padStart(16),
    "overhead µs/rec".padStart(16),
    "cpu/wall".padStart(9),
    "cpu µs/rec".padStart(11),
    "cpu overhead".padStart(13),
  ].join("  ");
  globalThis.process.stdout.write(`${header}\n${"-".repeat(header.length)}\n`);
  for (const { name, code, record } of CASES) {
    const records = Array.from({ length: Math.max(...BATCH_SIZES) }, (_, i) => record(i));
    const direct = directProcess(code);
    const instance = await jsRuntime.createInstance({ ...SPEC, code }, host);
    for (const size of BATCH_SIZES) {
      const batch = records.slice(0, size);
      const baseline = await medianOf(direct, batch);
      const isolated = await medianOf(
        READ_OUTPUTS ? (b) => instance.process(b).then(readOutputs) : (b) => instance.process(b),
        batch,
      );
      const perRecord = 1e6 / isolated.recordsPerSecond;
      const overhead = perRecord - 1e6 / baseline.recordsPerSecond;
      globalThis.process.stdout.write(
        [
          name.padEnd(15),
          String(size).padStart(6),
          format(baseline.recordsPerSecond).padStart(14),
          format(isolated.recordsPerSecond).padStart(15),
          `${format(baseline.recordsPerSecond / isolated.recordsPerSecond, 1)}×`.padStart(7),
          format(perRecord, 2).padStart(16),
          format(overhead, 2).padStart(16),
          format(isolated.cpuPerWall, 2).padStart(9),
          format(isolated.cpuUsPerRecord, 2).padStart(11),
          format(isolated.cpuUsPerRecord - baseline.cpuUsPerRecord, 2).padStart(13),
        ].join("  ") + "\n",
      );
    }
    await instance.close();
  }
  globalThis.process.stdout.write(
    "\nratio: direct ÷ isolated throughput. overhead: isolated minus direct time per record.\n" +
      "cpu/wall: process CPU time over wall time while the isolated runs (1.00 = one core busy).\n" +
      "cpu µs/rec: process CPU (all threads) per record, isolated; cpu overhead: that minus direct's.\n" +
      "On a shared, busy machine the wall figures include time the process waited for a core: read the\n" +
      "cpu columns there.\n",
  );
}

await main();
