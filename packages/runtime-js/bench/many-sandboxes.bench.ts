// `npm run bench:js-many` at the root: what one record costs when it goes into one of many cold
// isolates, as in an engine running many small flows (apps/engine/bench/density.bench.ts: 100
// flows of 10 records/s, each batch one record). Each layer is called round-robin over N
// sandboxes, one record at a time, beside the same layer with one sandbox called over and over
// (hot), in alternating passes of the same run; it prints the engine thread's CPU per call
// (process.threadCpuUsage: what a call costs the event loop) and the ratio many ÷ one.
//   raw applySync   a bare isolate whose function answers its string argument (isolated-vm's
//                   fixed cost: entering the isolate, copying the string in and out), with and
//                   without the `timeout` option (its watchdog timer)
//   Sandbox.call    the guest core's batch of one record (sandbox.ts callOnThread + guest JS)
//   process()       the whole instance (host encode, call, decode, settle)
// Not part of `npm test`.
//   BENCH_SANDBOXES=100  BENCH_CALLS=100 (calls per sandbox per pass)  BENCH_PASSES=5
//   BENCH_WARMUP=200 (calls per sandbox before the passes)  BENCH_LAYERS=raw,call,process
//   BENCH_MANY_ONLY=1 (no passes over one sandbox: for a profile of the many case alone)
import os from "node:os";
import ivm from "isolated-vm";
import { SILENT_FUNCTION_HOST } from "@weir/domain";
import type { FunctionInstance, WeirRecord } from "@weir/domain";
import { compileForRun } from "@weir/function-contract";
import { encodeBatchWithByteParts } from "@weir/function-contract/guest";
import { GuestDied } from "@weir/function-contract/instance";
import { createJsRuntime } from "../src/runtime";
import { Sandbox } from "../src/sandbox";

const SANDBOXES = Number(process.env.BENCH_SANDBOXES ?? 100);
const CALLS = Number(process.env.BENCH_CALLS ?? 100);
const PASSES = Number(process.env.BENCH_PASSES ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 200);
const LAYERS = new Set((process.env.BENCH_LAYERS ?? "raw,call,process").split(","));
const MANY_ONLY = process.env.BENCH_MANY_ONLY === "1";

/** The density benchmark's function and record (generator template { seq, now }). */
const CODE = "export default (record) => ({ value: { ...record.value, doubled: record.value.seq * 2 } });";
const record = (seq: number): WeirRecord => ({
  key: null,
  value: { seq, now: 1_700_000_000_000 + seq },
  headers: {},
  timestamp: 1_700_000_000_000 + seq,
});
const SPEC = {
  nodeId: "fn",
  code: CODE,
  language: "javascript" as const,
  params: {},
  ports: ["out"],
  timeoutMs: 5_000,
  memoryLimitMb: 128,
};

const noop = (): void => undefined;
const host = SILENT_FUNCTION_HOST;

/** One layer under test: `call(i, seq)` sends record `seq` to sandbox `i` and checks the answer. */
interface Layer {
  name: string;
  call(index: number, seq: number): void | Promise<void>;
}

interface Figures {
  /** Engine-thread CPU per call, µs. */
  threadUs: number;
  /** Process CPU (all threads) per call, µs. */
  processUs: number;
}

const threadCpu = (): number => {
  const usage = process.threadCpuUsage();
  return usage.user + usage.system;
};
const processCpu = (): number => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

let seq = 0;

/** `calls` calls to each of the first `count` sandboxes, round-robin. */
async function pass(layer: Layer, count: number, calls: number): Promise<Figures> {
  const thread = threadCpu();
  const all = processCpu();
  for (let round = 0; round < calls; round++) {
    for (let i = 0; i < count; i++) {
      const answer = layer.call(i, seq++);
      if (answer) await answer;
    }
  }
  const total = calls * count;
  return { threadUs: (threadCpu() - thread) / total, processUs: (processCpu() - all) / total };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const us = (value: number): string => value.toFixed(1).padStart(8);

/** Passes alternating many and one sandbox; prints the medians and the ratio. */
async function compare(layer: Layer): Promise<void> {
  await pass(layer, SANDBOXES, WARMUP);
  // The hot sandbox gets as many calls in all as each of the many, and then as many again as
  // all of them together get in one pass: it stays the hottest the layer can be.
  if (!MANY_ONLY) await pass(layer, 1, WARMUP * SANDBOXES);
  const many: Figures[] = [];
  const one: Figures[] = [];
  for (let i = 0; i < PASSES; i++) {
    many.push(await pass(layer, SANDBOXES, CALLS));
    one.push(MANY_ONLY ? { threadUs: NaN, processUs: NaN } : await pass(layer, 1, CALLS * SANDBOXES));
  }
  const manyThread = median(many.map((f) => f.threadUs));
  const oneThread = median(one.map((f) => f.threadUs));
  const manyProcess = median(many.map((f) => f.processUs));
  const oneProcess = median(one.map((f) => f.processUs));
  process.stdout.write(
    `${layer.name.padEnd(30)}${us(manyThread)}${us(oneThread)}${`${(manyThread / oneThread).toFixed(2)}×`.padStart(8)}` +
      `${us(manyProcess)}${us(oneProcess)}${`${(manyProcess / oneProcess).toFixed(2)}×`.padStart(8)}\n`,
  );
  if (!(manyThread > 0 && (MANY_ONLY || oneThread > 0)))
    throw new Error(`${layer.name}: no CPU time measured`);
}

/** Bare isolates whose function answers its argument: isolated-vm's own cost of a call. */
async function rawLayer(name: string, options: ivm.RunOptions): Promise<Layer & { dispose(): void }> {
  const isolates: ivm.Isolate[] = [];
  const functions: ivm.Reference<(operation: string, text: string) => string>[] = [];
  for (let i = 0; i < SANDBOXES; i++) {
    const isolate = new ivm.Isolate({ memoryLimit: SPEC.memoryLimitMb });
    const context = await isolate.createContext();
    const fn = (await context.eval("(function (operation, text) { return text; })", {
      reference: true,
    })) as ivm.Reference<(operation: string, text: string) => string>;
    isolates.push(isolate);
    functions.push(fn);
  }
  return {
    name,
    call(index, n) {
      const text = encodeBatchWithByteParts([record(n)]).text;
      const answer = (functions[index] as (typeof functions)[number]).applySync(
        undefined,
        ["batch-on-thread", text],
        options,
      );
      if (answer !== text) throw new Error(`${name}: wrong answer`);
    },
    dispose() {
      for (const isolate of isolates) isolate.dispose();
    },
  };
}

/** Batches on the thread past its limit (a busy machine descheduling the process mid-call). */
let restarts = 0;

async function sandboxLayer(): Promise<Layer & { dispose(): void }> {
  const { js } = compileForRun({ code: CODE, language: "javascript" });
  const start = async (): Promise<Sandbox> => {
    const sandbox = await Sandbox.create({
      js,
      params: {},
      secrets: {},
      ports: SPEC.ports,
      timeoutMs: SPEC.timeoutMs,
      memoryLimitMb: SPEC.memoryLimitMb,
      log: noop,
      getState: () => Promise.resolve(undefined),
      batchesOnThread: "always",
    });
    const loaded = await sandbox.load();
    if (!loaded.ok) throw new Error(loaded.message);
    return sandbox;
  };
  const sandboxes: Sandbox[] = [];
  for (let i = 0; i < SANDBOXES; i++) sandboxes.push(await start());
  return {
    name: "Sandbox.call (guest, 1 record)",
    call(index, n) {
      const { text, parts } = encodeBatchWithByteParts([record(n)]);
      let answer: string | Promise<string>;
      try {
        answer = (sandboxes[index] as Sandbox).call("batch", text, 1, parts);
      } catch (error) {
        if (!(error instanceof GuestDied)) throw error;
        restarts++;
        return start().then((sandbox) => {
          sandboxes[index] = sandbox;
        });
      }
      if (typeof answer !== "string" || !answer.includes(`"doubled":${String(n * 2)}`))
        throw new Error("Sandbox.call: wrong answer");
    },
    dispose() {
      for (const sandbox of sandboxes) sandbox.dispose();
    },
  };
}

async function processLayer(): Promise<Layer & { dispose(): Promise<void> }> {
  const runtime = createJsRuntime();
  const instances: FunctionInstance[] = [];
  for (let i = 0; i < SANDBOXES; i++) instances.push(await runtime.createInstance(SPEC, host));
  return {
    name: "process() (whole instance)",
    async call(index, n) {
      const [outcome] = await (instances[index] as FunctionInstance).process([record(n)]);
      const output = outcome?.ok ? (outcome.outputs[0]?.record.value as { doubled?: number }) : undefined;
      if (output?.doubled !== n * 2) throw new Error("process(): wrong answer");
    },
    async dispose() {
      for (const instance of instances) await instance.close();
    },
  };
}

async function main(): Promise<void> {
  process.stdout.write(
    `many sandboxes — Node ${process.version} ${process.execArgv.filter((a) => a.startsWith("--") && a !== "--import").join(" ")}, ${String(os.cpus().length)} × ${os.cpus()[0]?.model ?? "unknown cpu"}\n` +
      `one record per call, round-robin over ${String(SANDBOXES)} sandboxes (many) against one sandbox (one);\n` +
      `medians of ${String(PASSES)} alternating passes of ${String(CALLS)} calls per sandbox, after ${String(WARMUP)} warm-up calls each\n\n` +
      `${"layer".padEnd(30)}${"thread µs/call".padStart(16)}${"".padStart(8)}${"process µs/call".padStart(16)}\n` +
      `${"".padEnd(30)}${"many".padStart(8)}${"one".padStart(8)}${"ratio".padStart(8)}${"many".padStart(8)}${"one".padStart(8)}${"ratio".padStart(8)}\n`,
  );
  if (LAYERS.has("raw")) {
    for (const [name, options] of [
      ["raw applySync", {}],
      ["raw applySync, timeout 50 ms", { timeout: 50 }],
    ] as const) {
      const layer = await rawLayer(name, options);
      await compare(layer);
      layer.dispose();
    }
  }
  if (LAYERS.has("call")) {
    const layer = await sandboxLayer();
    await compare(layer);
    layer.dispose();
  }
  if (LAYERS.has("process")) {
    const layer = await processLayer();
    await compare(layer);
    await layer.dispose();
  }
  if (restarts > 0)
    process.stdout.write(
      `\n${String(restarts)} batches on the thread ran past its limit (their sandboxes were made anew)\n`,
    );
  process.stdout.write(
    "\nthread: CPU of the engine's thread (where on-thread batches run); process: every thread's.\n" +
      "ratio: many ÷ one. The machine may be shared: compare within a run, not across runs.\n",
  );
}

await main();
