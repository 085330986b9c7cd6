// Faults on the Kafka transport: an engine SIGKILLed mid-stream and a broker restarted
// mid-stream; no input record may be missing from the output.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
import { startKafka } from "@weir/testkit/kafka";
import type { KafkaHandle } from "@weir/testkit/kafka";
// Brings in the ProvidedContext augmentation that types inject("kafkaBrokers").
import type {} from "@weir/testkit/kafka-setup";
import { eventually } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { createTopic, startKafkaEngine } from "../test/kafka-engines";
import { inputLines, kcatConsume, kcatProduce } from "../test/kcat";
import { useTestDatabase } from "../test/test-database";

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
        config: { brokers: [brokers], topics: [input], fromBeginning: "earliest" },
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
    const first = await startKafkaEngine(t.url, brokers, `victim-${randomUUID().slice(0, 6)}`);
    const second = await startKafkaEngine(t.url, brokers, `survivor-${randomUUID().slice(0, 6)}`);
    engines.push(first, second);

    const flow = await t.api.flow.create(passThrough("sigkill", brokers, input, output, 1));
    const deployment = await t.api.deployment.deploy({ flowId: flow.id });

    // The input arrives as a stream (200 records every 150 ms, about 10 s), and the victim is
    // killed once it has processed records of its own while input is still arriving.
    const lines = inputLines(total, 64).map((r) => r.line);
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
    console.log(
      `SIGKILL fault test: ${String(total)} input records, one engine killed after ${String(producedAtKill)} were produced; ` +
        `all ${String(counts.size)} in the output, ${String(duplicates)} duplicate(s) ` +
        `(${String([...counts.values()].filter((c) => c > 1).length)} records seen more than once)`,
    );
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
      const brokers = kafka.brokers;
      const total = 4_000;
      const input = `weir-in-${randomUUID()}`;
      const output = `weir-out-${randomUUID()}`;
      await createTopic(brokers, input, 2);
      const engine = await startKafkaEngine(t.url, brokers, `restart-${randomUUID().slice(0, 6)}`);
      engines.push(engine);
      const lines = inputLines(total, 16).map((r) => r.line);
      await kcatProduce(brokers, input, lines.slice(0, total / 2));
      const flow = await t.api.flow.create(passThrough("broker restart", brokers, input, output));
      await t.api.deployment.deploy({ flowId: flow.id });
      await eventually(
        async () => ((await countsOn(brokers, output)).size > 0 ? true : undefined),
        "the first records through",
        40_000,
      );

      await kafka.restart(2_000);
      await kcatProduce(brokers, input, lines.slice(total / 2));

      const counts = await untilAllSeen(brokers, output, total, 120_000);
      expect([...Array(total).keys()].filter((n) => !counts.has(n))).toEqual([]);
      console.log(
        `broker restart test: all ${String(total)} records through, ${String(duplicatesOf(counts))} duplicate(s)`,
      );
      expect(engine.child.exitCode).toBeNull();
      await t.api.deployment.stop({ flowId: flow.id });
    }, 240_000);
  });
});
