// `npm run bench:kafka-eos` at the root: the cost of exactly-once. The same deployed
// `kafka → js identity → kafka` flow (batchSize 500, 4 partitions, one engine on kafkajs) with
// `delivery: "at-least-once"` and with `delivery: "exactly-once"`, alternating, on the same
// broker in the same run: throughput (median of runs) and the ratio. Not part of `npm test`.
//   KAFKA_BROKERS=host:port   use a running broker instead of starting one
//   BENCH_RUNS=3              runs per mode
//   BENCH_RECORDS=40000       records per run (100 B each)
import { randomUUID } from "node:crypto";
import os from "node:os";
import { Kafka, logLevel } from "kafkajs";
import type { Admin } from "kafkajs";
import { createCaller } from "@weir/api";
import { createDb } from "@weir/db";
import type { Delivery } from "@weir/domain";
import { startKafka } from "@weir/testkit/kafka";
import { startTestPostgres } from "@weir/testkit";
import { startKafkaEngine } from "../test/kafka-engines";
import { engineTestAdmin } from "../test/test-principal";

const PARTITIONS = 4;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const RECORDS = Number(process.env.BENCH_RECORDS ?? 40_000);
const MODES: Delivery[] = ["at-least-once", "exactly-once"];

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The group's committed offsets summed over the input's partitions: records done for good. */
async function committed(admin: Admin, groupId: string, topic: string): Promise<number> {
  // A group the engine has not joined yet has no coordinator to answer: nothing committed yet.
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] }).catch((error: unknown) => {
    if ((error as { retriable?: unknown }).retriable === true) return [];
    throw error;
  });
  return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/**
 * Records per second while the group's committed input offsets went from 10% to 90% of `count`:
 * for both modes a record counts once its outputs are acknowledged (at-least-once) or committed
 * (exactly-once), and start-up is left out.
 */
async function measureRate(admin: Admin, groupId: string, topic: string, count: number): Promise<number> {
  const deadline = Date.now() + 300_000;
  let at10: number | undefined;
  for (;;) {
    const now = Date.now();
    const done = await committed(admin, groupId, topic);
    if (at10 === undefined && done >= count * 0.1) at10 = now;
    if (at10 !== undefined && done >= count * 0.9) return (count * 0.8) / ((now - at10) / 1000);
    if (now > deadline)
      throw new Error(`only ${String(done)} of ${String(count)} records committed on ${topic}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function main(): Promise<void> {
  const kafkaHandle = process.env.KAFKA_BROKERS ? undefined : await startKafka();
  const brokers = process.env.KAFKA_BROKERS ?? kafkaHandle?.brokers ?? "";
  const postgres = await startTestPostgres();
  const db = createDb(postgres.databaseUrl);
  const api = createCaller({ db, principal: engineTestAdmin });
  const engine = await startKafkaEngine(postgres.databaseUrl, brokers, "bench-eos", {
    WEIR_RECONCILE_MS: "200",
  });
  const kafka = new Kafka({
    clientId: "weir-bench",
    brokers: brokers.split(","),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const rates = new Map<Delivery, number[]>(MODES.map((mode) => [mode, []]));
  try {
    for (let run = 1; run <= RUNS; run++) {
      for (const delivery of MODES) {
        const input = `bench-in-${randomUUID()}`;
        const output = `bench-out-${randomUUID()}`;
        await admin.createTopics({
          waitForLeaders: true,
          topics: [input, output].map((topic) => ({ topic, numPartitions: PARTITIONS })),
        });
        const value = JSON.stringify({ pad: "x".repeat(88) });
        for (let start = 0; start < RECORDS; start += 500) {
          const messages = [];
          for (let i = start; i < Math.min(RECORDS, start + 500); i++)
            messages.push({ key: `k${String(i % 1000)}`, value });
          await producer.send({ topic: input, acks: -1, messages });
        }
        const groupId = `bench-${randomUUID()}`;
        const flow = await api.flow.create({
          name: `bench eos ${input}`,
          delivery,
          nodes: [
            {
              id: "src",
              kind: "source",
              type: "kafka-source",
              config: { brokers: brokers.split(","), topics: [input], fromBeginning: "earliest", groupId },
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
        const rate = await measureRate(admin, groupId, input, RECORDS);
        rates.get(delivery)?.push(rate);
        log(`run ${String(run)} ${delivery}: ${String(Math.round(rate))} rec/s`);
        await api.deployment.stop({ flowId: flow.id });
      }
    }
    const [load] = os.loadavg();
    const least = median(rates.get("at-least-once") ?? []);
    const exactly = median(rates.get("exactly-once") ?? []);
    log(
      `\n${String(RECORDS)} records of 100 B, ${String(PARTITIONS)} partitions, batchSize 500, one engine, medians of ${String(RUNS)} (load ${load?.toFixed(1) ?? "?"}):`,
    );
    log(`  at-least-once ${String(Math.round(least))} rec/s`);
    log(
      `  exactly-once  ${String(Math.round(exactly))} rec/s (${(exactly / least).toFixed(2)} of at-least-once)`,
    );
  } finally {
    await producer.disconnect();
    await admin.disconnect();
    await engine.stop();
    await db.$disconnect();
    await postgres.stop();
    await kafkaHandle?.stop();
  }
}

// Exits once done: a kafkajs timer left behind would otherwise keep the process alive.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
