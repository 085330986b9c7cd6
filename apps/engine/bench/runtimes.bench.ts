// `npm run bench:wasm` at the root (also part of `npm run bench`): per-record cost of the same
// functions through the `wasm` runtime — as TS/JS code run by the JS guest, and as components
// built with componentize-js — against the `js` runtime and a direct in-process call, in the
// same run. Not part of `npm test`.
//
// Extra prebuilt `weir:function` components (e.g. the Go example) join the table with
//   npm run bench:wasm -- identity=path/to/identity.wasm "json transform"=path/to/transform.wasm
// each named after the case whose records it gets; their rows read "component <file>".
import { readFile } from "node:fs/promises";
import os from "node:os";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { SILENT_FUNCTION_HOST } from "@weir/domain";
import type { FunctionInstance, FunctionSpec, WeirRecord } from "@weir/domain";
import { compile } from "@weir/function-contract";
import { jsRuntime } from "@weir/runtime-js";
import { componentizeJs, wasmRuntime } from "@weir/runtime-wasm";
import { BENCH_ORDER_TRANSFORM, benchOrder } from "@weir/testkit/bench-orders";

interface Case {
  name: string;
  code: string;
  /** The same function written against the WIT, componentized with componentize-js. */
  component: string;
  extra: string[];
}

const component = (file: string): string => fileURLToPath(new URL(`./components/${file}`, import.meta.url));

const CASES: Case[] = [
  {
    name: "identity",
    code: "export default (record) => record;",
    component: component("identity.js"),
    extra: [],
  },
  {
    name: "json transform",
    code: BENCH_ORDER_TRANSFORM,
    component: component("transform.js"),
    extra: [],
  },
];

const BATCH_SIZES = [1, 100, 1000];
const REPETITIONS = 3;
const MIN_RECORDS = 2_000;
const MIN_MS = 300;

const host = SILENT_FUNCTION_HOST;

type Process = (batch: readonly WeirRecord[]) => Promise<unknown>;

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
  return (batch) => Promise.resolve(batch.map((record) => handle(record, {})));
}

interface PerRecord {
  /** Wall-clock µs per record. */
  wall: number;
  /**
   * CPU µs per record of this whole process (every thread: the engine's, the isolate's or the
   * guest's worker, V8's helpers): on a shared machine it moves far less with the load than wall.
   */
  cpu: number;
}

async function measure(process: Process, batch: readonly WeirRecord[]): Promise<PerRecord> {
  const started = performance.now();
  const cpuStart = globalThis.process.cpuUsage();
  let records = 0;
  while (records < MIN_RECORDS || performance.now() - started < MIN_MS) {
    await process(batch);
    records += batch.length;
  }
  const cpu = globalThis.process.cpuUsage(cpuStart);
  return { wall: ((performance.now() - started) * 1000) / records, cpu: (cpu.user + cpu.system) / records };
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Median µs per record (wall and CPU, each its own median) of REPETITIONS runs, after a warm-up. */
async function microsPerRecord(process: Process, batch: readonly WeirRecord[]): Promise<PerRecord> {
  await measure(process, batch);
  const runs: PerRecord[] = [];
  for (let i = 0; i < REPETITIONS; i++) runs.push(await measure(process, batch));
  return { wall: median(runs.map((run) => run.wall)), cpu: median(runs.map((run) => run.cpu)) };
}

const format = (n: number, digits = 1): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

function spec(code: string, componentBytes?: Uint8Array): FunctionSpec {
  return {
    nodeId: "bench",
    code,
    language: "javascript",
    params: {},
    ports: ["out"],
    timeoutMs: 30_000,
    memoryLimitMb: 256,
    ...(componentBytes ? { component: componentBytes } : {}),
  };
}

function parseExtraComponents(args: string[]): void {
  for (const arg of args) {
    const at = arg.indexOf("=");
    const target = CASES.find((c) => c.name === arg.slice(0, at));
    if (at < 0 || !target) {
      throw new Error(
        `expected <case>=<component.wasm> with a case of: ${CASES.map((c) => c.name).join(", ")}`,
      );
    }
    target.extra.push(arg.slice(at + 1));
  }
}

async function main(): Promise<void> {
  parseExtraComponents(process.argv.slice(2));
  const cpu = os.cpus()[0]?.model ?? "unknown cpu";
  process.stdout.write(
    `wasm runtime benchmark — Node ${process.version}, ${os.cpus().length} × ${cpu}, load ${os
      .loadavg()
      .map((n) => n.toFixed(1))
      .join(" ")}\n` +
      `µs per record, medians of ${REPETITIONS} runs (each ≥ ${MIN_RECORDS} records and ≥ ${MIN_MS} ms, after a warm-up); ` +
      `records: orders of ${JSON.stringify(benchOrder(0)).length} bytes of JSON\n` +
      "direct: the handler called in-process; js: the js runtime (isolated-vm); wasm js guest: the same code on the\n" +
      "wasm runtime (StarlingMonkey guest); wasm component: the function as a componentize-js component of the\n" +
      "weir:function world. Each cell: wall µs/record (+ overhead = runtime minus direct), then the process's\n" +
      "CPU µs/record (all threads), which the machine's load moves less than wall time.\n\n",
  );
  const header = [
    "function".padEnd(15),
    "runtime".padEnd(34),
    ...BATCH_SIZES.map((n) => `batch ${n}`.padStart(26)),
  ].join("  ");
  process.stdout.write(`${header}\n${"-".repeat(header.length)}\n`);
  for (const benchCase of CASES) {
    const records = Array.from({ length: Math.max(...BATCH_SIZES) }, (_, i) => benchOrder(i));
    const direct = directProcess(benchCase.code);
    const baseline: PerRecord[] = [];
    for (const size of BATCH_SIZES) baseline.push(await microsPerRecord(direct, records.slice(0, size)));
    process.stdout.write(
      [
        benchCase.name.padEnd(15),
        "direct".padEnd(34),
        ...baseline.map((us) => `${format(us.wall, 2)} cpu ${format(us.cpu, 2)}`.padStart(26)),
      ].join("  ") + "\n",
    );
    const rows: [string, () => Promise<FunctionInstance>][] = [
      ["js", () => jsRuntime.createInstance(spec(benchCase.code), host)],
      ["wasm js guest", () => wasmRuntime.createInstance(spec(benchCase.code), host)],
      [
        "wasm component (componentize-js)",
        async () =>
          wasmRuntime.createInstance(
            spec("", await componentizeJs({ sourcePath: benchCase.component })),
            host,
          ),
      ],
      ...benchCase.extra.map((file): [string, () => Promise<FunctionInstance>] => [
        `component ${basename(file)}`,
        async () => wasmRuntime.createInstance(spec("", new Uint8Array(await readFile(file))), host),
      ]),
    ];
    for (const [label, create] of rows) {
      const instance = await create();
      const cells: string[] = [];
      for (const [index, size] of BATCH_SIZES.entries()) {
        const us = await microsPerRecord((batch) => instance.process(batch), records.slice(0, size));
        const overhead = us.wall - (baseline[index]?.wall ?? 0);
        cells.push(`${format(us.wall)} (+${format(overhead)}) cpu ${format(us.cpu)}`.padStart(26));
      }
      await instance.close();
      process.stdout.write([benchCase.name.padEnd(15), label.padEnd(34), ...cells].join("  ") + "\n");
    }
  }
}

await main();
