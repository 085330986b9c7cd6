// Exactly-once delivery on the Kafka transport (flow setting `delivery: "exactly-once"`), under
// the fault that makes at-least-once repeat records: an engine SIGKILLed mid-stream. A
// read_committed read of the output must hold every input record exactly once. A function that
// writes ctx.state is refused record by record, with the reason. (An engine frozen past its
// session timeout, a zombie, is not covered yet: see the README's "Scaling out".)
import { randomUUID } from "node:crypto";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
// Brings in the ProvidedContext augmentation that types inject("kafkaBrokers").
import type {} from "@weir/testkit/kafka-setup";
import { eventually } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { createTopic, startKafkaEngine, testAdmin } from "../test/kafka-engines";
import { inputLines, kcatProduce } from "../test/kcat";
import { useTestDatabase } from "../test/test-database";
import { STATE_REFUSED } from "./flow/exactly-once-state";

const run = promisify(execFile);
const t = useTestDatabase();
const engines: EngineProcess[] = [];
afterAll(async () => {
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

/** `busyMs` per record keeps records in flight (taken, not yet committed) while the stream runs. */
function passThroughCode(busyMs: number): string {
  return `export default (r) => {
  const until = Date.now() + ${String(busyMs)};
  while (Date.now() < until) { /* working */ }
  return { key: r.key, value: { n: r.value.n, by: "weir" } };
}`;
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
  it("neither loses nor repeats a record when one of two engines is SIGKILLed mid-stream", async () => {
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
      exactlyOnceFlow("eos sigkill", brokers, input, output, groupId, passThroughCode(1)),
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
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `exactly-once SIGKILL test: ${String(total)} input records, one engine killed after ${String(producedAtKill)} were produced; ` +
        `${String(counts.size)} distinct in the read_committed output, ${String(missing.length)} missing, ${String(duplicates)} duplicate(s), ` +
        `${String(Math.round(seconds))} s`,
    );
    expect(missing).toEqual([]);
    expect(duplicates).toBe(0);
    expect(survivor.output()).toMatch(/joined consumer group .* \(join [2-9]\d*, exactly-once\)/);
    expect(survivor.child.exitCode).toBeNull();
    await t.api.deployment.stop({ flowId: flow.id });
    // Engines work on every deployment: the next test counts its group's members.
    await survivor.stop();
  }, 180_000);

  it("refuses ctx.state writes: each such record is dead-lettered with the reason", async () => {
    const brokers = inject("kafkaBrokers");
    const input = `weir-in-${randomUUID()}`;
    const output = `weir-out-${randomUUID()}`;
    await createTopic(brokers, input, 1);
    const engine = await startKafkaEngine(t.url, brokers, `state-${randomUUID().slice(0, 6)}`);
    engines.push(engine);
    const code = `export default async (r, ctx) => {
  ctx.state.put("count", ((await ctx.state.get("count")) ?? 0) + 1);
  return r;
}`;
    const spec = exactlyOnceFlow("eos state", brokers, input, output, `weir-eos-${randomUUID()}`, code);
    const flow = await t.api.flow.create({
      ...spec,
      nodes: spec.nodes?.map((node) =>
        node.id === "fn" ? { ...node, config: { code, maxAttempts: 1 } } : node,
      ),
    });
    await t.api.deployment.deploy({ flowId: flow.id });
    await kcatProduce(
      brokers,
      input,
      inputLines(3, 3).map((r) => r.line),
    );
    const letters = await eventually(
      async () => {
        const rows = await t.api.deadLetters.list({ flowId: flow.id, limit: 100 });
        return rows.length >= 3 ? rows : undefined;
      },
      "three dead letters",
      60_000,
    );
    expect(letters.map((row) => row.nodeId)).toEqual(["fn", "fn", "fn"]);
    for (const row of letters) expect(row.error).toContain(STATE_REFUSED);
    expect(await t.db.functionState.count({ where: { flowId: flow.id } })).toBe(0);
    await t.api.deployment.stop({ flowId: flow.id });
  }, 120_000);
});
