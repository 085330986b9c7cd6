// `npm run bench:peek`: what edge peek costs a node's output, in the engine itself: batches sent
// through the in-process transport's output (a real bounded queue, drained as a node would) with
// no peek code at all, wrapped for edge peek while nobody watches (the cost every deployed edge
// pays), and wrapped while the edge is watched (20 records kept, values serialised). Medians of
// alternated runs, in one process, so the three figures share a machine state. Batches of 100
// (a function's output) and of 1 (a source emitting record by record, the worst case for a
// per-batch check). Figures are this process's CPU time per record. Not part of `npm test`.
import type { WeirRecord } from "@weir/domain";
import { BoundedQueue } from "../src/flow/bounded-queue";
import { NodeOutputs } from "../src/flow/outputs";
import { EdgePeeks } from "../src/peek/edge-peeks";
import { PeekedOutput } from "../src/peek/peeked-output";
import type { NodeOutput } from "../src/transport/edge-transport";

const RECORDS = 400_000;
const RUNS = 9;

type Mode = "no peek code" | "unwatched" | "watched";

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The least disturbed run: on a shared machine the median carries other processes' noise. */
const fastest = (values: readonly number[]): number => Math.min(...values);

/** ns per record sent through one output into a queue the loop drains. */
async function perRecord(mode: Mode, batchSize: number): Promise<number> {
  const queue = new BoundedQueue<WeirRecord>(10_000);
  const transport = new NodeOutputs(new Map([["out", [queue]]]));
  let output: NodeOutput = transport;
  const peeks = new EdgePeeks({ capacity: 20, maxValueChars: 2048, sweepMs: 0 });
  if (mode !== "no peek code") output = new PeekedOutput(transport, peeks.tapsOf("d", "fn"));
  if (mode === "watched")
    await peeks.watch({
      deploymentId: "d",
      edge: { id: "e", fromNode: "fn", port: "out" },
      watcher: "bench",
      leaseMs: 600_000,
      redactor: () => Promise.resolve((text: string) => text),
    });
  const batches: WeirRecord[][] = [];
  for (let i = 0; i < RECORDS; i += batchSize) {
    const batch: WeirRecord[] = [];
    for (let j = i; j < i + batchSize; j++)
      batch.push({
        key: `k${String(j)}`,
        value: { seq: j, name: "order", amount: j * 3 },
        headers: {},
        timestamp: j,
      });
    batches.push(batch);
  }
  // CPU time, not wall time: on a shared machine the wall clock also counts time other processes had the core.
  const started = process.cpuUsage();
  for (const batch of batches) {
    await output.sendToPort("out", batch);
    queue.take(batchSize);
  }
  const used = process.cpuUsage(started);
  const elapsed = (used.user + used.system) * 1000; // µs → ns
  peeks.close();
  return elapsed / RECORDS;
}

const MODES: Mode[] = ["no peek code", "unwatched", "watched"];
for (const batchSize of [100, 1]) {
  const costs = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
  // Each run starts with a different mode, so none always follows another's garbage.
  for (let run = 0; run < RUNS; run++)
    for (let i = 0; i < MODES.length; i++) {
      const mode = MODES[(run + i) % MODES.length] ?? "no peek code";
      costs.get(mode)?.push(await perRecord(mode, batchSize));
    }
  const base = costs.get("no peek code") ?? [];
  for (const mode of MODES) {
    const values = costs.get(mode) ?? [];
    const delta = (pick: (v: readonly number[]) => number): string => {
      const d = pick(values) - pick(base);
      return `${d >= 0 ? "+" : ""}${d.toFixed(1)}`;
    };
    const versus = mode === "no peek code" ? "" : `  (${delta(median)} / ${delta(fastest)} ns)`;
    process.stdout.write(
      `batch ${String(batchSize).padStart(3)}  ${mode.padEnd(12)} median ${median(values).toFixed(1)} / fastest ${fastest(values).toFixed(1)} ns per record${versus}\n`,
    );
  }
}
