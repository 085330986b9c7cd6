// Faults on the Kafka transport: an engine SIGKILLed mid-stream, a broker restarted mid-stream
// and a broker frozen (SIGSTOP) for longer than the session timeout. No input record may be
// missing from the output, and the duplicates stay within the bound the README states: at most
// MAX_UNCOMMITTED records per member that dies or rejoins its group (the engines log each join),
// and at most one produce request per write sent again after a broker fault (they log those too).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
import { startKafka } from "@weir/testkit/kafka";
import type { KafkaHandle } from "@weir/testkit/kafka";
// Brings in the ProvidedContext augmentation that types inject("kafkaBrokers").
import type {} from "@weir/testkit/kafka-setup";
import { eventually } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { createTopic, startKafkaEngine, testAdmin } from "../test/kafka-engines";
import { inputLines, kcatConsume, kcatProduce } from "../test/kcat";
import { useTestDatabase } from "../test/test-database";
import { MAX_UNCOMMITTED } from "./transport/kafka/kafka-input";
import { MESSAGES_PER_REQUEST } from "./transport/kafka/topic-writer";

const t = useTestDatabase();
const engines: EngineProcess[] = [];
afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.stop()));
});

/**
 * `busyMs` per record keeps records in flight (taken, not yet acked) while the stream runs, so a
 * kill lands on some of them. (kafka-input.integration.test.ts pins the commit rule exactly.)
 */
function passThrough(
  name: string,
  brokers: string,
  input: string,
  output: string,
  groupId: string,
  busyMs = 0,
): FlowSpecInput {
  const code = `export default (r) => {
  const until = Date.now() + ${String(busyMs)};
  while (Date.now() < until) { /* working */ }
  return { key: r.key, value: { n: r.value.n, by: "weir" } };
}`;
  return {
    name,
    nodes: [
      {
        id: "src",
        kind: "source",
        type: "kafka-source",
        config: { brokers: [brokers], topics: [input], fromBeginning: "earliest", groupId },
      },
      { id: "fn", kind: "function", type: "function", config: { code } },
      { id: "out", kind: "sink", type: "kafka-sink", config: { brokers: [brokers], topic: output } },
    ],
    edges: [
      { id: "e1", from: { node: "src", port: "out" }, to: { node: "fn" } },
      { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
    ],
  };
}

/** How often each n appeared on the output topic. */
async function countsOn(brokers: string, topic: string): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const { value } of await kcatConsume(brokers, topic).catch(() => [])) {
    const n = (value as { n: number }).n;
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return counts;
}

async function untilAllSeen(brokers: string, topic: string, total: number, timeoutMs: number) {
  return eventually(
    async () => {
      const counts = await countsOn(brokers, topic);
      return counts.size >= total ? counts : undefined;
    },
    `all ${String(total)} records on ${topic}`,
    timeoutMs,
  );
}

/** Waits until the group has `members` members and is not rebalancing. */
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

/**
 * What an engine logged since `from` (a length of its output) about the fault's effects: the
 * times its member of `groupId` joined the group, and the produce requests it sent again.
 */
function effectsSince(
  engine: EngineProcess,
  groupId: string,
  from: number,
): { joins: number; retries: number } {
  const log = engine.output().slice(from);
  let retries = 0;
  for (const match of log.matchAll(/delivered after (\d+) attempts/g)) retries += Number(match[1]) - 1;
  return { joins: log.split(`joined consumer group ${groupId} (`).length - 1, retries };
}

/**
 * The at-least-once bound the README states: at most the fetch-ahead window for each member
 * that died or rejoined its group, and at most one produce request for each one sent again
 * after a broker fault (its first attempt may have landed unacknowledged).
 */
function duplicateBound(membersLostOrRejoined: number, retries: number): number {
  return MAX_UNCOMMITTED * membersLostOrRejoined + MESSAGES_PER_REQUEST * retries;
}

function duplicatesOf(counts: Map<number, number>): number {
  let duplicates = 0;
  for (const count of counts.values()) duplicates += count - 1;
  return duplicates;
}

describe("transport=kafka under faults", () => {
  it("loses nothing when one of two engines is SIGKILLed mid-stream", async () => {
    const brokers = inject("kafkaBrokers");
    const total = 10_000;
    const input = `weir-in-${randomUUID()}`;
    const output = `weir-out-${randomUUID()}`;
    await createTopic(brokers, input, 4);
    const [first, second] = await Promise.all([
      startKafkaEngine(t.url, brokers, `victim-${randomUUID().slice(0, 6)}`),
      startKafkaEngine(t.url, brokers, `survivor-${randomUUID().slice(0, 6)}`),
    ]);
    engines.push(first, second);

    const started = Date.now();
    const groupId = `weir-fault-${randomUUID()}`;
    const flow = await t.api.flow.create(passThrough("sigkill", brokers, input, output, groupId, 1));
    const deployment = await t.api.deployment.deploy({ flowId: flow.id });
    // Both members in before the stream starts, so the kill is the only event that moves partitions.
    await untilGroupStable(brokers, groupId, 2);

    // The input arrives as a stream (200 records every 150 ms, about 10 s), and the victim is
    // killed once it has processed records of its own while input is still arriving.
    const lines = inputLines(total, 64).map((r) => r.line);
    const logFrom = [first.output().length, second.output().length] as const;
    let produced = 0;
    const producing = (async () => {
      for (; produced < total; produced += 200) {
        await kcatProduce(brokers, input, lines.slice(produced, produced + 200));
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();
    await eventually(
      async () => {
        const rows = await t.db.nodeStats.findMany({ where: { deploymentId: deployment.id, nodeId: "fn" } });
        const victim = rows.find((row) => row.engineId.startsWith("victim-"));
        return victim && victim.recordsIn > 0n ? victim : undefined;
      },
      "the victim engine processing records",
      60_000,
    );
    const producedAtKill = produced;
    await first.kill();
    expect(producedAtKill).toBeLessThan(total);
    await producing;

    const counts = await untilAllSeen(brokers, output, total, 90_000);
    const missing = [...Array(total).keys()].filter((n) => !counts.has(n));
    expect(missing).toEqual([]);
    const duplicates = duplicatesOf(counts);
    // The victim's member leaves at most its window uncommitted; the survivor's member rejoins
    // (to take the victim's partitions) and re-reads at most its own window each time.
    const victim = effectsSince(first, groupId, logFrom[0]);
    const survivor = effectsSince(second, groupId, logFrom[1]);
    expect(survivor.joins).toBeGreaterThanOrEqual(1);
    const bound = duplicateBound(1 + victim.joins + survivor.joins, victim.retries + survivor.retries);
    console.log(
      `SIGKILL fault test: ${String(total)} input records, one engine killed after ${String(producedAtKill)} were produced; ` +
        `all ${String(counts.size)} in the output, ${String(duplicates)} duplicate(s) (bound ${String(bound)}: ` +
        `the victim, ${String(victim.joins + survivor.joins)} rejoin(s), ${String(victim.retries + survivor.retries)} produce retries), ` +
        `${String(Math.round((Date.now() - started) / 1000))} s`,
    );
    expect(duplicates).toBeLessThanOrEqual(bound);
    expect(second.child.exitCode).toBeNull();
    await t.api.deployment.stop({ flowId: flow.id });
  }, 240_000);

  describe("with a broker of its own", () => {
    let kafka: KafkaHandle;
    beforeAll(async () => {
      kafka = await startKafka();
    }, 180_000);
    afterAll(async () => {
      await kafka.stop();
    });

    it("resumes after the broker restarts mid-stream, without losing records", async () => {
      const started = Date.now();
      const brokers = kafka.brokers;
      const total = 4_000;
      const input = `weir-in-${randomUUID()}`;
      const output = `weir-out-${randomUUID()}`;
      await createTopic(brokers, input, 2);
      const engine = await startKafkaEngine(t.url, brokers, `restart-${randomUUID().slice(0, 6)}`);
      engines.push(engine);
      const lines = inputLines(total, 16).map((r) => r.line);
      await kcatProduce(brokers, input, lines.slice(0, total / 2));
      const groupId = `weir-fault-${randomUUID()}`;
      const flow = await t.api.flow.create(passThrough("broker restart", brokers, input, output, groupId));
      await t.api.deployment.deploy({ flowId: flow.id });
      await eventually(
        async () => ((await countsOn(brokers, output)).size > 0 ? true : undefined),
        "the first records through",
        40_000,
      );

      const logFrom = engine.output().length;
      await kafka.restart(2_000);
      await kcatProduce(brokers, input, lines.slice(total / 2));

      const counts = await untilAllSeen(brokers, output, total, 120_000);
      expect([...Array(total).keys()].filter((n) => !counts.has(n))).toEqual([]);
      // One member: each rejoin re-reads at most its window, each retried produce at most a request.
      const duplicates = duplicatesOf(counts);
      const effects = effectsSince(engine, groupId, logFrom);
      const bound = duplicateBound(effects.joins, effects.retries);
      console.log(
        `broker restart test: all ${String(total)} records through, ${String(duplicates)} duplicate(s) ` +
          `(bound ${String(bound)}: ${String(effects.joins)} rejoin(s), ${String(effects.retries)} produce retries), ` +
          `${String(Math.round((Date.now() - started) / 1000))} s`,
      );
      expect(duplicates).toBeLessThanOrEqual(bound);
      expect(engine.child.exitCode).toBeNull();
      await t.api.deployment.stop({ flowId: flow.id });
    }, 240_000);

    it("recovers from a broker frozen for longer than the session timeout, without losing records", async () => {
      const started = Date.now();
      const brokers = kafka.brokers;
      const total = 4_000;
      const sessionTimeoutMs = 6_000;
      const input = `weir-in-${randomUUID()}`;
      const output = `weir-out-${randomUUID()}`;
      await createTopic(brokers, input, 2);
      const engine = await startKafkaEngine(t.url, brokers, `stall-${randomUUID().slice(0, 6)}`, {
        WEIR_KAFKA_SESSION_TIMEOUT_MS: String(sessionTimeoutMs),
      });
      engines.push(engine);
      const lines = inputLines(total, 16).map((r) => r.line);
      await kcatProduce(brokers, input, lines.slice(0, total / 2));
      const groupId = `weir-fault-${randomUUID()}`;
      const flow = await t.api.flow.create(passThrough("broker stall", brokers, input, output, groupId));
      await t.api.deployment.deploy({ flowId: flow.id });
      await eventually(
        async () => ((await countsOn(brokers, output)).size > 0 ? true : undefined),
        "the first records through",
        40_000,
      );

      // Every connection stays open and nothing answers: the engine's requests and heartbeats
      // hang, and once the broker goes on its group session has expired.
      const logFrom = engine.output().length;
      await kafka.pause(sessionTimeoutMs + 2_000);
      await kcatProduce(brokers, input, lines.slice(total / 2));

      const counts = await untilAllSeen(brokers, output, total, 120_000);
      expect([...Array(total).keys()].filter((n) => !counts.has(n))).toEqual([]);
      // One member: its session expired, so it rejoins (at least once) and re-reads at most its
      // window each time; each retried produce may repeat at most a request.
      const duplicates = duplicatesOf(counts);
      const effects = effectsSince(engine, groupId, logFrom);
      expect(effects.joins).toBeGreaterThanOrEqual(1);
      const bound = duplicateBound(effects.joins, effects.retries);
      console.log(
        `broker stall test: all ${String(total)} records through, ${String(duplicates)} duplicate(s) ` +
          `(bound ${String(bound)}: ${String(effects.joins)} rejoin(s), ${String(effects.retries)} produce retries), ` +
          `${String(Math.round((Date.now() - started) / 1000))} s`,
      );
      expect(duplicates).toBeLessThanOrEqual(bound);
      expect(engine.child.exitCode).toBeNull();
      const status = await t.api.deployment.status({ flowId: flow.id });
      expect(status?.actualState).toBe("running");
      await t.api.deployment.stop({ flowId: flow.id });
    }, 240_000);
  });
});
