// Exactly-once delivery on the Kafka transport (flow setting `delivery: "exactly-once"`), under
// the faults that make at-least-once repeat records: an engine SIGKILLed mid-stream (a second
// engine takes over its partitions) and a broker restarted mid-stream. The function counts its
// records in ctx.state: a read_committed read of the output must hold every input record exactly
// once, and the counter's committed state (the changelog, and its view in Postgres) must be
// exactly the number of records. Also an engine frozen past its session timeout and woken (a
// zombie): the partitions' new owner fences it before it reads where to resume.
import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
// Brings in the ProvidedContext augmentation that types inject("kafkaBrokers").
import type {} from "@weir/testkit/kafka-setup";
import { eventually } from "../test/engine-process";
import { testAdmin, testKafka } from "../test/kafka-engines";
import {
  busyFunction,
  functionFlow,
  oneEngine,
  twoEnginesMidStream,
  untilEngineProcessing,
  untilGroupStable,
  useFaultEngines,
  useOwnBroker,
} from "../test/kafka-faults";
import { inputLines, kcatProduce, kcatReadCommitted } from "../test/kcat";
import { useTestDatabase } from "../test/test-database";
import { materialisedKey } from "./flow/exactly-once-state";

const t = useTestDatabase();
// EOS_DEBUG=1 prints each engine's last log lines (why a deployment did not start, say).
const engines = useFaultEngines(t, { printLogs: Boolean(process.env.EOS_DEBUG) });

function exactlyOnceFlow(
  name: string,
  brokers: string,
  input: string,
  output: string,
  groupId: string,
  code: string,
): FlowSpecInput {
  return functionFlow({ name, brokers, input, output, groupId, code, delivery: "exactly-once" });
}

/**
 * Counts its records in ctx.state ("count", per input partition under exactly-once) and passes
 * each on, spending `busyMs` on each.
 */
function counterCode(busyMs: number): string {
  return busyFunction(
    busyMs,
    [
      '  const count = ((await ctx.state.get("count")) ?? 0) + 1;',
      '  ctx.state.put("count", count);',
      '  return { key: r.key, value: { n: r.value.n, by: "weir", count } };',
    ].join("\n"),
    true,
  );
}

/**
 * The counter's committed state per changelog partition: the last "count" of each partition of
 * the node's changelog topic, read read_committed (restore markers have another key).
 */
async function committedCounters(brokers: string, topic: string): Promise<Map<number, number>> {
  const lines = await kcatReadCommitted(brokers, topic, "%p\t%k\t%s");
  const counters = new Map<number, number>();
  for (const line of lines) {
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
  const lines = await kcatReadCommitted(brokers, topic, "%s");
  const counts = new Map<number, number>();
  for (const line of lines) {
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

/**
 * Records the flow dead-lettered, with their reasons. None of these faults is a record's fault:
 * a dead letter here would be a record lost to the exactly-once count.
 */
async function deadLetterReasons(flowId: string): Promise<string[]> {
  const rows = await t.db.deadLetter.findMany({ where: { flowId }, select: { error: true } });
  return rows.map((row) => row.error);
}

/**
 * A transaction of another producer, left open on some partitions of `topic` (one message each)
 * until `abort()`: read_committed readers of those partitions cannot pass it meanwhile.
 */
async function openTransaction(
  brokers: string,
  topic: string,
  partitions: readonly number[],
): Promise<{ abort(): Promise<void> }> {
  const producer = testKafka(brokers).producer({
    transactionalId: `weir-test-blocker-${randomUUID()}`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const transaction = await producer.transaction();
  await transaction.send({
    topic,
    messages: partitions.map((partition) => ({ key: "blocker", value: "null", partition })),
  });
  return {
    abort: async () => {
      await transaction.abort();
      await producer.disconnect();
    },
  };
}

function summary(counts: Map<number, number>, total: number): { missing: number[]; duplicates: number } {
  const missing = [...Array(total).keys()].filter((n) => !counts.has(n));
  let duplicates = 0;
  for (const count of counts.values()) duplicates += count - 1;
  return { missing, duplicates };
}

describe("transport=kafka, delivery exactly-once", () => {
  it("neither loses nor repeats a record or a state change when one of two engines is SIGKILLed mid-stream", async () => {
    const brokers = inject("kafkaBrokers");
    const total = 10_000;
    const run = await twoEnginesMidStream(t, engines, {
      brokers,
      total,
      faulty: "victim",
      groupPrefix: "weir-eos",
      flow: ({ input, output, groupId }) =>
        exactlyOnceFlow("eos sigkill", brokers, input, output, groupId, counterCode(1)),
    });
    const { faulty: victim, survivor, groupId, input, output, started } = run;
    const producedAtKill = run.producing.produced();
    await victim.kill();
    expect(producedAtKill).toBeLessThan(total);
    await run.producing.done;

    // Every input offset committed means every output committed with it (one transaction each).
    await untilCommittedToEnd(brokers, groupId, input, 90_000);
    const counts = await committedCounts(brokers, output);
    const { missing, duplicates } = summary(counts, total);
    expect(await deadLetterReasons(run.flowId)).toEqual([]);
    const counters = await expectCounterExactly(brokers, run.flowId, input, total);
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
    await t.api.deployment.stop({ flowId: run.flowId });
    // Engines work on every deployment: the next test counts its group's members.
    await survivor.stop();
  }, 180_000);

  it("fences an engine frozen past its session timeout: its late commits and state changes do not land", async () => {
    const brokers = inject("kafkaBrokers");
    const total = 4_000;
    const sessionTimeoutMs = 6_000;
    const run = await twoEnginesMidStream(t, engines, {
      brokers,
      total,
      faulty: "zombie",
      groupPrefix: "weir-eos",
      flow: ({ input, output, groupId }) =>
        exactlyOnceFlow("eos zombie", brokers, input, output, groupId, counterCode(2)),
    });
    const { faulty: zombie, survivor, groupId, input, output } = run;
    // Frozen with batches taken and outputs staged; its group session expires and the survivor
    // takes its partitions. Woken, it tries to commit what it held.
    zombie.child.kill("SIGSTOP");
    await new Promise((resolve) => setTimeout(resolve, sessionTimeoutMs + 4_000));
    zombie.child.kill("SIGCONT");
    await run.producing.done;

    await untilCommittedToEnd(brokers, groupId, input, 90_000);
    const counts = await committedCounts(brokers, output);
    const { missing, duplicates } = summary(counts, total);
    expect(await deadLetterReasons(run.flowId)).toEqual([]);
    const counters = await expectCounterExactly(brokers, run.flowId, input, total);
    console.log(
      `exactly-once zombie test: ${String(total)} records, ${String(missing.length)} missing, ${String(duplicates)} duplicate(s) in the read_committed output; ` +
        `counter state ${JSON.stringify(Object.fromEntries(counters))}`,
    );
    expect(missing).toEqual([]);
    expect(duplicates).toBe(0);
    expect(zombie.child.exitCode).toBeNull();
    await t.api.deployment.stop({ flowId: run.flowId });
    await Promise.all([zombie.stop(), survivor.stop()]);
  }, 180_000);

  it("restores a partition's state before its records reach the function, so no call's time limit waits on Kafka", async () => {
    const brokers = inject("kafkaBrokers");
    const total = 1_000;
    const { engine, input, output, groupId } = await oneEngine(engines, brokers, {
      engine: "eos-restore",
      groupPrefix: "weir-eos",
    });
    const spec = functionFlow({
      name: "eos restore",
      brokers,
      input,
      output,
      groupId,
      code: counterCode(0),
      delivery: "exactly-once",
      // One try a record: a call that timed out would dead-letter its records at once.
      fnConfig: { timeoutMs: 300, maxAttempts: 1 },
    });
    const flow = await t.api.flow.create(spec);
    const changelog = `weir.${flow.id}.v1.fn.state`;
    const lines = inputLines(total, 16).map((r) => r.line);
    let restoreHeldMs = 0;
    // The second deployment restores the counts the first one left, and its restore is held up
    // far past the function's time limit: another producer's transaction stays open on the
    // changelog, and a read_committed read cannot pass it until it ends. A function whose
    // ctx.state.get waited for the restore inside its call would time out.
    for (const [round, half] of [lines.slice(0, total / 2), lines.slice(total / 2)].entries()) {
      const blocker = round === 1 ? await openTransaction(brokers, changelog, [0, 1]) : undefined;
      await t.api.deployment.deploy({ flowId: flow.id });
      await untilGroupStable(brokers, groupId, 1);
      await kcatProduce(brokers, input, half);
      if (blocker) {
        const held = Date.now();
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        await blocker.abort();
        restoreHeldMs = Date.now() - held;
      }
      await untilCommittedToEnd(brokers, groupId, input, 60_000);
      await t.api.deployment.stop({ flowId: flow.id });
    }
    const counts = await committedCounts(brokers, output);
    const { missing, duplicates } = summary(counts, total);
    console.log(
      `exactly-once restore test: the second deployment's restore held ${String(restoreHeldMs)} ms (time limit 300 ms); ` +
        `${String(missing.length)} missing, ${String(duplicates)} duplicate(s)`,
    );
    expect(restoreHeldMs).toBeGreaterThan(1_000);
    expect(await deadLetterReasons(flow.id)).toEqual([]);
    await expectCounterExactly(brokers, flow.id, input, total);
    expect(missing).toEqual([]);
    expect(duplicates).toBe(0);
    expect(engine.output()).toMatch(/restored 1 state key\(s\) of /);
    await engine.stop();
  }, 180_000);

  describe("with a broker of its own", () => {
    const kafka = useOwnBroker();

    it("neither loses nor repeats a record or a state change when the broker restarts mid-stream", async () => {
      const started = Date.now();
      const brokers = kafka().brokers;
      const total = 4_000;
      const { engine, input, output, groupId } = await oneEngine(engines, brokers, {
        engine: "eos-restart",
        groupPrefix: "weir-eos",
      });
      const flow = await t.api.flow.create(
        exactlyOnceFlow("eos broker restart", brokers, input, output, groupId, counterCode(2)),
      );
      const deployment = await t.api.deployment.deploy({ flowId: flow.id });
      await untilGroupStable(brokers, groupId, 1);
      // Half before the restart (2 ms a record: still being processed when the broker goes), half after.
      const lines = inputLines(total, 16).map((r) => r.line);
      await kcatProduce(brokers, input, lines.slice(0, total / 2));
      await untilEngineProcessing(t, deployment.id, "eos-restart-");
      await kafka().restart(2_000);
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
      expect(await deadLetterReasons(flow.id)).toEqual([]);
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
