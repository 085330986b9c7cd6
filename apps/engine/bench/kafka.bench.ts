// `npm run bench:kafka` at the root: a deployed `kafka → js identity → kafka` flow on the Kafka
// transport, once with the engine on each client (WEIR_KAFKA_CLIENT=kafkajs and platformatic),
// against raw consume→produce pass-throughs on kafkajs and on @platformatic/kafka, on the same
// broker in the same run, for 100-byte and 1 KB records: throughput (median of runs, and the
// ratios) and end-to-end latency (p50/p99) at half of each flow's maximum rate. Not part of `npm test`.
//   KAFKA_BROKERS=host:port   use a running broker instead of starting one
//   BENCH_RUNS=3              throughput runs per case (alternating raw and flow)
//   BENCH_LATENCY_RATE=n      latency run at n records/s instead of half the flow's maximum
//   BENCH_CLIENTS=kafkajs,platformatic   the engine clients whose flows are measured
//   BENCH_CASES="1 KB"        only these cases (comma-separated names)
import { randomUUID } from "node:crypto";
import os from "node:os";
import {
  Consumer as PlatformaticConsumer,
  ProduceAcks,
  Producer as PlatformaticProducer,
} from "@platformatic/kafka";
import type { Message as PlatformaticMessage } from "@platformatic/kafka";
import { Kafka, logLevel } from "kafkajs";
import type { Admin, Message, Producer } from "kafkajs";
import { createCaller } from "@weir/api";
import { createDb } from "@weir/db";
import { startKafka } from "@weir/testkit/kafka";
import { startTestPostgres } from "@weir/testkit";
import { startKafkaEngine } from "../test/kafka-engines";
import { engineTestAdmin } from "../test/test-principal";

const PARTITIONS = 4;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CASES = [
  { name: "100 B", bytes: 100, records: 100_000 },
  { name: "1 KB", bytes: 1024, records: 40_000 },
].filter((c) => !process.env.BENCH_CASES || process.env.BENCH_CASES.split(",").includes(c.name));
const LATENCY_SECONDS = 10;
const CLIENTS = (process.env.BENCH_CLIENTS ?? "kafkajs,platformatic").split(",");

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** A JSON value of about `bytes` bytes that carries its send time. */
function payload(bytes: number, i: number, sentAt = 0): string {
  const base = JSON.stringify({ i, t: sentAt, pad: "" });
  return JSON.stringify({ i, t: sentAt, pad: "x".repeat(Math.max(0, bytes - base.length)) });
}

async function fill(producer: Producer, topic: string, bytes: number, count: number): Promise<void> {
  const value = payload(bytes, 0);
  for (let start = 0; start < count; start += 500) {
    const messages = [];
    for (let i = start; i < Math.min(count, start + 500); i++) messages.push({ key: `k${i % 1000}`, value });
    await sendRetrying(producer, topic, messages);
  }
}

/** A loaded broker may answer "not the leader" after kafkajs' own retries: this bench's input waits and retries. */
async function sendRetrying(producer: Producer, topic: string, messages: Message[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await producer.send({ topic, acks: -1, messages });
      return;
    } catch (error) {
      if (attempt >= 10 || (error as { retriable?: unknown }).retriable !== true) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

async function endOffset(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, o) => sum + Number(o.high), 0);
}

/** Records per second while the output grew from 10% to 90% of `count` (leaves start-up out). */
async function measureRate(admin: Admin, topic: string, count: number, timeoutMs = 300_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let at10: number | undefined;
  for (;;) {
    const now = Date.now();
    const done = await endOffset(admin, topic);
    if (at10 === undefined && done >= count * 0.1) at10 = now;
    if (at10 !== undefined && done >= count * 0.9) return (count * 0.8) / ((now - at10) / 1000);
    if (now > deadline) throw new Error(`only ${String(done)} of ${String(count)} records reached ${topic}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The baseline: consume a chunk, produce it (idempotent, acks=all), then commit, as the flow does. */
async function rawPassThrough(kafka: Kafka, input: string, output: string): Promise<() => Promise<void>> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: input, fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async (payload) => {
      const { batch } = payload;
      for (let start = 0; start < batch.messages.length; start += 500) {
        const chunk = batch.messages.slice(start, start + 500);
        await producer.send({
          topic: output,
          acks: -1,
          messages: chunk.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
        });
        const last = chunk.at(-1);
        if (last) payload.resolveOffset(last.offset);
        await payload.commitOffsetsIfNecessary();
        await payload.heartbeat();
      }
    },
  });
  return async () => {
    await consumer.disconnect();
    await producer.disconnect();
  };
}

/**
 * The same pass-through on @platformatic/kafka (the maintained candidate to replace kafkajs): its
 * stream consumer, up to 500 messages per produce (idempotent, acks=all), then the commit.
 */
async function platformaticPassThrough(
  brokers: string[],
  input: string,
  output: string,
): Promise<() => Promise<void>> {
  const producer = new PlatformaticProducer({
    clientId: "weir-bench-platformatic",
    bootstrapBrokers: brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
  });
  const consumer = new PlatformaticConsumer({
    clientId: "weir-bench-platformatic",
    groupId: `bench-platformatic-${randomUUID()}`,
    bootstrapBrokers: brokers,
  });
  const stream = await consumer.consume({
    topics: [input],
    mode: "committed",
    fallbackMode: "earliest",
    autocommit: false,
  });
  const pump = (async () => {
    let batch: PlatformaticMessage[] = [];
    for await (const message of stream as AsyncIterable<PlatformaticMessage>) {
      batch.push(message);
      if (batch.length < 500 && stream.readableLength > 0) continue;
      await producer.send({
        messages: batch.map((m) => ({ topic: output, key: m.key, value: m.value, headers: m.headers })),
      });
      const last = new Map<number, PlatformaticMessage>();
      for (const m of batch) last.set(m.partition, m);
      for (const m of last.values()) await m.commit();
      batch = [];
    }
  })();
  return async () => {
    await stream.close();
    await pump.catch(() => undefined);
    await consumer.close(true);
    await producer.close();
  };
}

async function main(): Promise<void> {
  const kafkaHandle = process.env.KAFKA_BROKERS ? undefined : await startKafka();
  const brokers = process.env.KAFKA_BROKERS ?? kafkaHandle?.brokers ?? "";
  const postgres = await startTestPostgres();
  const db = createDb(postgres.databaseUrl);
  const api = createCaller({ db, principal: engineTestAdmin });
  // One engine at a time, on the client being measured (two would share each flow's partitions).
  let engine: Awaited<ReturnType<typeof startKafkaEngine>> | undefined;
  let engineClient = "";
  const engineOn = async (client: string): Promise<void> => {
    if (engine && engineClient === client) return;
    await engine?.stop();
    engine = await startKafkaEngine(postgres.databaseUrl, brokers, `bench-engine-${client}`, {
      WEIR_RECONCILE_MS: "200",
      WEIR_KAFKA_CLIENT: client,
    });
    engineClient = client;
  };
  const kafka = new Kafka({
    clientId: "weir-bench",
    brokers: brokers.split(","),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();

  const topicPair = async (): Promise<{ input: string; output: string }> => {
    const input = `bench-in-${randomUUID()}`;
    const output = `bench-out-${randomUUID()}`;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [input, output].map((topic) => ({ topic, numPartitions: PARTITIONS })),
    });
    return { input, output };
  };

  const deployFlow = async (input: string, output: string): Promise<() => Promise<void>> => {
    const flow = await api.flow.create({
      name: `bench ${input}`,
      nodes: [
        {
          id: "src",
          kind: "source",
          type: "kafka-source",
          config: {
            brokers: brokers.split(","),
            topics: [input],
            fromBeginning: "earliest",
            valueFormat: "json",
          },
        },
        {
          id: "fn",
          kind: "function",
          type: "function",
          config: { code: "export default (r) => r", batchSize: 500 },
        },
        {
          id: "out",
          kind: "sink",
          type: "kafka-sink",
          config: { brokers: brokers.split(","), topic: output },
        },
      ],
      edges: [
        { id: "e1", from: { node: "src", port: "out" }, to: { node: "fn" } },
        { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
      ],
    });
    await api.deployment.deploy({ flowId: flow.id });
    return async () => {
      await api.deployment.stop({ flowId: flow.id });
      // The engine's stats flush may collide with the delete's transaction: retried.
      for (let attempt = 1; ; attempt++) {
        try {
          await api.flow.delete({ id: flow.id });
          return;
        } catch (error) {
          if (attempt >= 5 || (error as { code?: string }).code !== "CONFLICT") throw error;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    };
  };

  /** Produces at `rate` per second for LATENCY_SECONDS and returns each record's end-to-end latency. */
  const latency = async (
    bytes: number,
    rate: number,
    start: (input: string, output: string) => Promise<() => Promise<void>>,
  ) => {
    const { input, output } = await topicPair();
    const stop = await start(input, output);
    const latencies: number[] = [];
    const reader = kafka.consumer({ groupId: `bench-reader-${randomUUID()}` });
    await reader.connect();
    await reader.subscribe({ topic: output, fromBeginning: true });
    await reader.run({
      eachMessage: ({ message }) => {
        const sentAt = (JSON.parse(message.value?.toString() ?? "{}") as { t?: number }).t ?? 0;
        if (sentAt > 0) latencies.push(Date.now() - sentAt);
        return Promise.resolve();
      },
    });
    // Warm-up: the path is through (groups joined) before measuring.
    await producer.send({ topic: input, acks: -1, messages: [{ key: "warm", value: payload(bytes, -1) }] });
    while ((await endOffset(admin, output)) < 1) await new Promise((resolve) => setTimeout(resolve, 100));
    const tickMs = 10;
    const perTick = rate / (1000 / tickMs);
    const total = Math.round(rate * LATENCY_SECONDS);
    let sent = 0;
    const began = Date.now();
    while (sent < total) {
      const due = Math.min(total, Math.round(((Date.now() - began) / tickMs + 1) * perTick));
      // Bounded requests: a stall (a loaded machine) must not make one produce request too large.
      const upTo = Math.min(due, sent + 500);
      const messages = [];
      for (; sent < upTo; sent++)
        messages.push({ key: `k${sent % 1000}`, value: payload(bytes, sent, Date.now()) });
      if (messages.length > 0) await sendRetrying(producer, input, messages);
      await new Promise((resolve) => setTimeout(resolve, tickMs));
    }
    const deadline = Date.now() + 60_000;
    while (latencies.length < total && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    await reader.disconnect();
    await stop();
    return {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      received: latencies.length,
      total,
    };
  };

  const load = (): string =>
    os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ");
  log(
    `weir kafka bench: ${os.cpus().length} cpu(s), load ${load()}, ${PARTITIONS} partitions per topic, ` +
      `${String(RUNS)} run(s) per case after one warm-up run each`,
  );
  for (const c of CASES) {
    const raw: number[] = [];
    const platformatic: number[] = [];
    const flows = new Map<string, number[]>(CLIENTS.map((client) => [client, []]));
    // Run 0 warms every path up (JIT, first deploy) and is not counted.
    for (let run = 0; run <= RUNS; run++) {
      {
        const { input, output } = await topicPair();
        await fill(producer, input, c.bytes, c.records);
        const stop = await rawPassThrough(kafka, input, output);
        raw.push(await measureRate(admin, output, c.records));
        await stop();
      }
      {
        const { input, output } = await topicPair();
        await fill(producer, input, c.bytes, c.records);
        const stop = await platformaticPassThrough(brokers.split(","), input, output);
        platformatic.push(await measureRate(admin, output, c.records));
        await stop();
      }
      for (const [client, rates] of flows) {
        await engineOn(client);
        const { input, output } = await topicPair();
        await fill(producer, input, c.bytes, c.records);
        const stop = await deployFlow(input, output);
        rates.push(await measureRate(admin, output, c.records));
        await stop();
      }
      if (run === 0) {
        raw.pop();
        platformatic.pop();
        for (const rates of flows.values()) rates.pop();
        continue;
      }
      const flowText = [...flows].map(
        ([client, rates]) => `flow on ${client} ${rates.at(-1)?.toFixed(0)} rec/s`,
      );
      log(
        `  ${c.name} run ${String(run)} (load ${load()}): raw kafkajs ${raw.at(-1)?.toFixed(0)} rec/s, ` +
          `raw @platformatic/kafka ${platformatic.at(-1)?.toFixed(0)} rec/s, ${flowText.join(", ")}`,
      );
    }
    const rawRate = median(raw);
    const platformaticRate = median(platformatic);
    log(
      `${c.name}: raw kafkajs pass-through ${rawRate.toFixed(0)} rec/s, raw @platformatic/kafka ${platformaticRate.toFixed(0)} rec/s ` +
        `(${(platformaticRate / rawRate).toFixed(2)} of kafkajs) (medians)`,
    );
    // The choice between the clients: the same flow on each, medians of the same run.
    const flowMedians = [...flows].map(([client, rates]) => [client, median(rates)] as const);
    const [first, ...others] = flowMedians;
    if (first)
      for (const [client, rate] of others)
        log(
          `${c.name}: flow on ${client} / flow on ${first[0]} ${(rate / first[1]).toFixed(2)} (medians: ` +
            `${rate.toFixed(0)} vs ${first[1].toFixed(0)} rec/s; per run ${perRunRatios(flows, client, first[0])})`,
        );
    for (const [client, rates] of flows) {
      const flowRate = median(rates);
      log(
        `${c.name}: flow on ${client} ${flowRate.toFixed(0)} rec/s (median), flow/raw kafkajs ${(flowRate / rawRate).toFixed(2)}, ` +
          `flow/raw @platformatic/kafka ${(flowRate / platformaticRate).toFixed(2)}`,
      );
      // BENCH_LATENCY_RATE pins the rate of the latency run (to compare runs, or look at low rates).
      const half = Number(process.env.BENCH_LATENCY_RATE ?? 0) || Math.floor(flowRate / 2);
      await engineOn(client);
      const flowLatency = await latency(c.bytes, half, deployFlow);
      const rawLatency = await latency(c.bytes, half, (input, output) =>
        rawPassThrough(kafka, input, output),
      );
      const platformaticLatency = await latency(c.bytes, half, (input, output) =>
        platformaticPassThrough(brokers.split(","), input, output),
      );
      log(
        `${c.name} at ${String(half)} rec/s (half the flow on ${client}'s max): flow p50 ${String(flowLatency.p50)} ms, p99 ${String(flowLatency.p99)} ms ` +
          `(${String(flowLatency.received)}/${String(flowLatency.total)}); raw kafkajs p50 ${String(rawLatency.p50)} ms, p99 ${String(rawLatency.p99)} ms; ` +
          `raw @platformatic/kafka p50 ${String(platformaticLatency.p50)} ms, p99 ${String(platformaticLatency.p99)} ms`,
      );
    }
  }

  await producer.disconnect();
  await admin.disconnect();
  await engine?.stop();
  await db.$disconnect();
  await postgres.stop();
  await kafkaHandle?.stop();
}

/** The ratio of `client`'s flow to `base`'s in each run: how much the noise moves it. */
function perRunRatios(flows: ReadonlyMap<string, number[]>, client: string, base: string): string {
  const ofClient = flows.get(client) ?? [];
  const ofBase = flows.get(base) ?? [];
  return ofClient.map((rate, run) => (rate / (ofBase[run] ?? Number.NaN)).toFixed(2)).join(", ");
}

// Exits when done: after everything is stopped, a client's idle socket or timer can keep the
// process alive (it once sat idle for minutes after printing its figures).
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
