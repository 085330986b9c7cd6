// Exactly-once delivery on the Kafka transport (flow setting `delivery: "exactly-once"`), under
// the faults that make at-least-once repeat records: an engine SIGKILLed mid-stream (a second
// engine takes over its partitions) and a broker restarted mid-stream. The function counts its
// records in ctx.state: a read_committed read of the output must hold every input record exactly
// once, and the counter's committed state (the changelog, and its view in Postgres) must be
// exactly the number of records. Also an engine frozen past its session timeout and woken (a
// zombie): the partitions' new owner fences it before it reads where to resume.
import { randomUUID } from "node:crypto";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
import { startKafka } from "@weir/testkit/kafka";
import type { KafkaHandle } from "@weir/testkit/kafka";
// Brings in the ProvidedContext augmentation that types inject("kafkaBrokers").
import type {} from "@weir/testkit/kafka-setup";
import { eventually } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { createTopic, startKafkaEngine, testAdmin } from "../test/kafka-engines";
import { inputLines, kcatProduce } from "../test/kcat";
import { useTestDatabase } from "../test/test-database";
import { materialisedKey } from "./flow/exactly-once-state";

const run = promisify(execFile);
const t = useTestDatabase();
const engines: EngineProcess[] = [];
afterAll(async () => {
  // EOS_DEBUG=1 prints each engine's last log lines (why a deployment did not start, say).
  if (process.env.EOS_DEBUG) for (const engine of engines) console.log(engine.output().slice(-6000));
  await Promise.all(engines.map((engine) => engine.stop()));
});

function exactlyOnceFlow(
  name: string,
  brokers: string,
  input: string,
  output: string,
  groupId: string,
  body: string,
): FlowSpecInput {
  return {
    name,
    delivery: "exactly-once",
    nodes: [
      {
        id: "src",
        kind: "source",
        type: "kafka-source",
        config: { brokers: [brokers], topics: [input], fromBeginning: "earliest", groupId },
      },
      { id: "fn", kind: "function", type: "function", config: { code: body } },
      { id: "out", kind: "sink", type: "kafka-sink", config: { brokers: [brokers], topic: output } },
    ],
    edges: [
      { id: "e1", from: { node: "src", port: "out" }, to: { node: "fn" } },
      { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
    ],
  };
}

/**
 * Counts its records in ctx.state ("count", per input partition under exactly-once) and passes
 * each on. `busyMs` per record keeps records in flight (taken, not yet committed) while the stream runs.
 */
function counterCode(busyMs: number): string {
  return `export default async (r, ctx) => {
  const until = Date.now() + ${String(busyMs)};
  while (Date.now() < until) { /* working */ }
  const count = ((await ctx.state.get("count")) ?? 0) + 1;
  ctx.state.put("count", count);
  return { key: r.key, value: { n: r.value.n, by: "weir", count } };
}`;
}

/**
 * The counter's committed state per changelog partition: the last "count" of each partition of
 * the node's changelog topic, read read_committed (restore markers have another key).
 */
async function committedCounters(brokers: string, topic: string): Promise<Map<number, number>> {
  const { stdout } = await run(
    "kcat",
    [
      "-C",
      "-b",
      brokers,
      "-t",
      topic,
      "-o",
      "beginning",
      "-e",
      "-q",
      "-X",
      "isolation.level=read_committed",
      "-f",
      "%p\t%k\t%s\n",
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const counters = new Map<number, number>();
  for (const line of stdout.split("\n")) {
    const [partition, key, value] = line.split("\t");
    if (key !== "count" || partition === undefined || value === undefined) continue;
    counters.set(Number(partition), JSON.parse(value) as number);
  }
  return counters;
}

/** Records per partition of a topic written without transactions: its end offsets. */
async function recordsPerPartition(brokers: string, topic: string): Promise<Map<number, number>> {
  const admin = testAdmin(brokers);
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    return new Map(ends.map((end) => [end.partition, Number(end.high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * The counter's state: on the changelog (authoritative) each input partition's count is its
 * number of records, and the Postgres view (written after each commit, so it may lag) catches
 * up to the same figures.
 */
async function expectCounterExactly(brokers: string, flowId: string, input: string, total: number) {
  const perPartition = await recordsPerPartition(brokers, input);
  const changelog = await committedCounters(brokers, `weir.${flowId}.v1.fn.state`);
  expect(changelog).toEqual(perPartition);
  expect([...changelog.values()].reduce((sum, n) => sum + n, 0)).toBe(total);
  const expectedView = new Map([...perPartition].map(([p, n]) => [materialisedKey(p, "count"), n]));
  const view = await eventually(
    async () => {
      const rows = await t.db.functionState.findMany({ where: { flowId, nodeId: "fn" } });
      const got = new Map(rows.map((row) => [row.key, row.value as number]));
      return [...expectedView].every(([key, n]) => got.get(key) === n) ? got : undefined;
    },
    "the Postgres view of the counter caught up",
    30_000,
  );
  expect(view).toEqual(expectedView);
  return changelog;
}

/** Every n on the topic, as a consumer with isolation.level read_committed sees it (kcat, librdkafka). */
async function committedCounts(brokers: string, topic: string): Promise<Map<number, number>> {
  const { stdout } = await run(
    "kcat",
    [
      "-C",
      "-b",
      brokers,
      "-t",
      topic,
      "-o",
      "beginning",
      "-e",
      "-q",
      "-X",
      "isolation.level=read_committed",
      "-f",
      "%s\n",
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  const counts = new Map<number, number>();
  for (const line of stdout.split("\n")) {
    if (line.length === 0) continue;
    const n = (JSON.parse(line) as { n: number }).n;
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return counts;
}

/** Waits until the group's committed offsets reach the end of every partition of `topic`. */
async function untilCommittedToEnd(brokers: string, groupId: string, topic: string, timeoutMs: number) {
  const admin = testAdmin(brokers);
  await admin.connect();
  try {
    await eventually(
      async () => {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        const at = new Map(committed?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
        return ends.every((end) => (at.get(end.partition) ?? -1) >= Number(end.high)) ? true : undefined;
      },
      `group ${groupId} committed to the end of ${topic}`,
      timeoutMs,
    );
  } finally {
    await admin.disconnect();
  }
}

async function untilGroupStable(brokers: string, groupId: string, members: number): Promise<void> {
  const admin = testAdmin(brokers);
  await admin.connect();
  try {
    await eventually(
      async () => {
        const { groups } = await admin.describeGroups([groupId]);
        const group = groups[0];
        return group?.state === "Stable" && group.members.length === members ? true : undefined;
      },
      `consumer group ${groupId} stable with ${String(members)} member(s)`,
      60_000,
    );
  } finally {
    await admin.disconnect();
  }
}

/** Input records whose offsets the group has committed, over every partition. */
async function committedTotal(brokers: string, groupId: string, topic: string): Promise<number> {
  const admin = testAdmin(brokers);
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (committed?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

function summary(counts: Map<number, number>, total: number): { missing: number[]; duplicates: number } {
  const missing = [...Array(total).keys()].filter((n) => !counts.has(n));
  let duplicates = 0;
  for (const count of counts.values()) duplicates += count - 1;
  return { missing, duplicates };
}

/** Produces `lines` as a stream: 200 records every 150 ms. */
function stream(
  brokers: string,
  topic: string,
  lines: readonly string[],
): { done: Promise<void>; produced: () => number } {
  let produced = 0;
  const done = (async () => {
    for (; produced < lines.length; produced += 200) {
      await kcatProduce(brokers, topic, lines.slice(produced, produced + 200));
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  })();
  return { done, produced: () => produced };
}

async function untilProcessing(deploymentId: string, enginePrefix: string): Promise<void> {
  await eventually(
    async () => {
      const rows = await t.db.nodeStats.findMany({ where: { deploymentId, nodeId: "fn" } });
      const row = rows.find((r) => r.engineId.startsWith(enginePrefix));
      return row && row.recordsIn > 0n ? row : undefined;
    },
    `engine ${enginePrefix} processing records`,
    60_000,
  );
}

describe("transport=kafka, delivery exactly-once", () => {
  it("neither loses nor repeats a record or a state change when one of two engines is SIGKILLed mid-stream", async () => {
    const brokers = inject("kafkaBrokers");
    const total = 10_000;
    const input = `weir-in-${randomUUID()}`;
    const output = `weir-out-${randomUUID()}`;
    await createTopic(brokers, input, 4);
    // One after the other: two engines starting at once on a busy 2-core machine can take 30 s.
    const victim = await startKafkaEngine(t.url, brokers, `victim-${randomUUID().slice(0, 6)}`);
    engines.push(victim);
    const survivor = await startKafkaEngine(t.url, brokers, `survivor-${randomUUID().slice(0, 6)}`);
    engines.push(survivor);
    const started = Date.now();
    const groupId = `weir-eos-${randomUUID()}`;
    const flow = await t.api.flow.create(
      exactlyOnceFlow("eos sigkill", brokers, input, output, groupId, counterCode(1)),
    );
    const deployment = await t.api.deployment.deploy({ flowId: flow.id });
    await untilGroupStable(brokers, groupId, 2);

    const lines = inputLines(total, 64).map((r) => r.line);
    const producing = stream(brokers, input, lines);
    await untilProcessing(deployment.id, "victim-");
    const producedAtKill = producing.produced();
    await victim.kill();
    expect(producedAtKill).toBeLessThan(total);
    await producing.done;

    // Every input offset committed means every output committed with it (one transaction each).
    await untilCommittedToEnd(brokers, groupId, input, 90_000);
    const counts = await committedCounts(brokers, output);
    const { missing, duplicates } = summary(counts, total);
    const counters = await expectCounterExactly(brokers, flow.id, input, total);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `exactly-once SIGKILL test: ${String(total)} input records, one engine killed after ${String(producedAtKill)} were produced; ` +
        `${String(counts.size)} distinct in the read_committed output, ${String(missing.length)} missing, ${String(duplicates)} duplicate(s); ` +
        `counter state ${JSON.stringify(Object.fromEntries(counters))}; ${String(Math.round(seconds))} s`,
    );
    expect(missing).toEqual([]);
    expect(duplicates).toBe(0);
    expect(survivor.output()).toMatch(/restored \d+ state key\(s\) of /);
    expect(survivor.output()).toMatch(/joined consumer group .* \(join [2-9]\d*, exactly-once\)/);
    expect(survivor.child.exitCode).toBeNull();
    await t.api.deployment.stop({ flowId: flow.id });
    // Engines work on every deployment: the next test counts its group's members.
    await survivor.stop();
  }, 180_000);

  it("fences an engine frozen past its session timeout: its late commits and state changes do not land", async () => {
    const brokers = inject("kafkaBrokers");
    const total = 4_000;
    const sessionTimeoutMs = 6_000;
    const input = `weir-in-${randomUUID()}`;
    const output = `weir-out-${randomUUID()}`;
    await createTopic(brokers, input, 4);
    const zombie = await startKafkaEngine(t.url, brokers, `zombie-${randomUUID().slice(0, 6)}`);
    engines.push(zombie);
    const survivor = await startKafkaEngine(t.url, brokers, `survivor-${randomUUID().slice(0, 6)}`);
    engines.push(survivor);
    const groupId = `weir-eos-${randomUUID()}`;
    const flow = await t.api.flow.create(
      exactlyOnceFlow("eos zombie", brokers, input, output, groupId, counterCode(2)),
    );
    const deployment = await t.api.deployment.deploy({ flowId: flow.id });
    await untilGroupStable(brokers, groupId, 2);

    const lines = inputLines(total, 64).map((r) => r.line);
    const producing = stream(brokers, input, lines);
    await untilProcessing(deployment.id, "zombie-");
    // Frozen with batches taken and outputs staged; its group session expires and the survivor
    // takes its partitions. Woken, it tries to commit what it held.
    zombie.child.kill("SIGSTOP");
    await new Promise((resolve) => setTimeout(resolve, sessionTimeoutMs + 4_000));
    zombie.child.kill("SIGCONT");
    await producing.done;

    await untilCommittedToEnd(brokers, groupId, input, 90_000);
    const counts = await committedCounts(brokers, output);
    const { missing, duplicates } = summary(counts, total);
    const counters = await expectCounterExactly(brokers, flow.id, input, total);
    console.log(
      `exactly-once zombie test: ${String(total)} records, ${String(missing.length)} missing, ${String(duplicates)} duplicate(s) in the read_committed output; ` +
        `counter state ${JSON.stringify(Object.fromEntries(counters))}`,
    );
    expect(missing).toEqual([]);
    expect(duplicates).toBe(0);
    expect(zombie.child.exitCode).toBeNull();
    await t.api.deployment.stop({ flowId: flow.id });
    await Promise.all([zombie.stop(), survivor.stop()]);
  }, 180_000);

  describe("with a broker of its own", () => {
    let kafka: KafkaHandle;
    beforeAll(async () => {
      kafka = await startKafka();
    }, 180_000);
    afterAll(async () => {
      await kafka.stop();
    });

    it("neither loses nor repeats a record or a state change when the broker restarts mid-stream", async () => {
      const started = Date.now();
      const brokers = kafka.brokers;
      const total = 4_000;
      const input = `weir-in-${randomUUID()}`;
      const output = `weir-out-${randomUUID()}`;
      await createTopic(brokers, input, 2);
      const engine = await startKafkaEngine(t.url, brokers, `eos-restart-${randomUUID().slice(0, 6)}`);
      engines.push(engine);
      const groupId = `weir-eos-${randomUUID()}`;
      const flow = await t.api.flow.create(
        exactlyOnceFlow("eos broker restart", brokers, input, output, groupId, counterCode(2)),
      );
      const deployment = await t.api.deployment.deploy({ flowId: flow.id });
      await untilGroupStable(brokers, groupId, 1);
      // Half before the restart (2 ms a record: still being processed when the broker goes), half after.
      const lines = inputLines(total, 16).map((r) => r.line);
      await kcatProduce(brokers, input, lines.slice(0, total / 2));
      await untilProcessing(deployment.id, "eos-restart-");
      await kafka.restart(2_000);
      // The group's coordinator is back a moment after the broker.
      const atRestart = await eventually(
        () => committedTotal(brokers, groupId, input),
        "the committed offsets after the restart",
        30_000,
      );
      await kcatProduce(brokers, input, lines.slice(total / 2));
      expect(atRestart).toBeLessThan(total / 2);

      await untilCommittedToEnd(brokers, groupId, input, 120_000);
      const counts = await committedCounts(brokers, output);
      const { missing, duplicates } = summary(counts, total);
      const counters = await expectCounterExactly(brokers, flow.id, input, total);
      console.log(
        `exactly-once broker restart test: ${String(total)} input records, broker restarted with ${String(atRestart)} committed; ` +
          `${String(missing.length)} missing, ${String(duplicates)} duplicate(s); counter state ${JSON.stringify(Object.fromEntries(counters))}; ` +
          `${String(Math.round((Date.now() - started) / 1000))} s`,
      );
      expect(missing).toEqual([]);
      expect(duplicates).toBe(0);
      expect(engine.child.exitCode).toBeNull();
      await t.api.deployment.stop({ flowId: flow.id });
      await engine.stop();
    }, 240_000);
  });
});
