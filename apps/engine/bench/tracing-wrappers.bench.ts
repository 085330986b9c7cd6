// `node --import tsx apps/engine/bench/tracing-wrappers.bench.ts` (the collector must be built: run
// src/tracing.integration.test.ts once): what tracing adds per record in
// the engine itself, away from the noise of a whole flow: a source's output and a node's input
// (take + ack) wrapped for tracing, against the same calls unwrapped, with spans exported over
// OTLP/HTTP to a real OpenTelemetry Collector. Medians of alternated runs. Not part of `npm test`.
import type { PortRecord, WeirRecord } from "@weir/domain";
import { startCollector } from "../test/otel-collector";
import type { NodeInput, NodeOutput } from "../src/transport/edge-transport";
import { TracedInput, TracedOutput } from "../src/tracing/traced-io";
import type { NodeTracing } from "../src/tracing/traced-io";
import { createTracing } from "../src/tracing/tracing";

const RECORDS = 200_000;
const BATCH = 100;
const RUNS = 5;

const collector = await startCollector("basic");

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

const sink: NodeOutput = {
  send: (_: readonly PortRecord[]) => Promise.resolve(),
  sendToPort: () => Promise.resolve(),
  close: () => undefined,
};

/** An input that hands out whatever batch was last put in it, once. */
class Handoff implements NodeInput {
  batch: WeirRecord[] | null = null;
  take(): Promise<WeirRecord[] | null> {
    const batch = this.batch;
    this.batch = null;
    return Promise.resolve(batch);
  }
  ack(): Promise<void> {
    return Promise.resolve();
  }
}

/** µs per record through a source's output, a function's input and a sink's input (a flow's 3 nodes), batch by batch. */
async function perRecord(env: Record<string, string> | undefined): Promise<number> {
  const tracing = env ? createTracing("bench", env) : undefined;
  const node = (name: string): NodeTracing | undefined =>
    tracing && {
      tracing,
      node: {
        flowId: "f",
        flowVersion: 1,
        deploymentId: "d",
        nodeId: name,
        nodeType: "t",
        kind: name === "gen" ? "source" : name === "fn" ? "function" : "sink",
        name,
      },
      spans: new Map(),
    };
  let emitted: readonly WeirRecord[] = [];
  const capture: NodeOutput = {
    ...sink,
    sendToPort: (_port, records) => {
      emitted = records;
      return Promise.resolve();
    },
  };
  const sourceNode = node("gen");
  const output = sourceNode ? new TracedOutput(capture, sourceNode) : capture;
  const handoffs = [new Handoff(), new Handoff()];
  const inputs = handoffs.map((handoff, i) => {
    const traced = node(i === 0 ? "fn" : "out");
    return traced ? new TracedInput(handoff, traced) : handoff;
  });
  const started = performance.now();
  for (let i = 0; i < RECORDS; i += BATCH) {
    const batch: WeirRecord[] = [];
    for (let j = i; j < i + BATCH; j++)
      batch.push({ key: null, value: { seq: j }, headers: {}, timestamp: 0 });
    await output.sendToPort("out", batch);
    let flowing = emitted;
    for (const [n, input] of inputs.entries()) {
      const handoff = handoffs[n];
      if (handoff) handoff.batch = [...flowing];
      flowing = (await input.take(BATCH)) ?? [];
      await input.ack();
    }
  }
  const elapsed = performance.now() - started;
  await tracing?.shutdown();
  return (elapsed * 1000) / RECORDS;
}

// Off (nothing wrapped); the default sampler (10 new traces a second), spans kept in memory only
// and also exported; every record traced and exported.
const SETTINGS: Record<string, Record<string, string> | undefined> = {
  off: undefined,
  default: {},
  "default+otlp": { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint },
  "all+otlp": { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_TRACES_SAMPLER: "always_on" },
};
const costs: Record<string, number[]> = {};
for (let run = 0; run < RUNS; run++)
  for (const [name, env] of Object.entries(SETTINGS)) (costs[name] ??= []).push(await perRecord(env));
for (const [name, values] of Object.entries(costs))
  process.stdout.write(
    `tracing ${name.padEnd(12)} ${median(values).toFixed(2)} µs per record over 3 nodes\n`,
  );
await collector.stop();
