// The Kafka transport through real engine processes: every edge a topic, work shared by two
// engines, a generator on exactly one of them with failover, lag in the stats, topics kept on
// stop and removed with the flow.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
// Brings in the ProvidedContext augmentation that types inject("kafkaBrokers").
import type {} from "@weir/testkit/kafka-setup";
import { eventually } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { flowTopics, startKafkaEngine, topicConfig } from "../test/kafka-engines";
import { inputLines, kcatConsume, kcatProduce } from "../test/kcat";
import type { Consumed } from "../test/kcat";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();
let brokers: string;
const engines: EngineProcess[] = [];

beforeAll(() => {
  brokers = inject("kafkaBrokers");
});
afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.stop()));
});

const engineIds = new Map<string, string>();

async function engine(id: string): Promise<EngineProcess> {
  const engineId = `${id}-${randomUUID().slice(0, 6)}`;
  engineIds.set(id, engineId);
  const started = await startKafkaEngine(t.url, brokers, engineId);
  engines.push(started);
  return started;
}

/** Each record as first delivered (by key and seq), in the order read: a redelivered copy is left out. */
function firstDeliveries(consumed: readonly Consumed[]): Consumed[] {
  const seen = new Set<string>();
  return consumed.filter(({ key, value }) => {
    const id = `${key}/${String((value as { seq?: number }).seq)}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

async function nodeRows(deploymentId: string, nodeId: string) {
  return t.db.nodeStats.findMany({ where: { deploymentId, nodeId } });
}

describe("transport=kafka", () => {
  it("runs kcat → kafka-source → js → kafka-sink → kcat over edge topics, in order per key", async () => {
    await engine("solo");
    // Its heartbeat row says which transport it runs (the Engines page shows it).
    const row = await t.db.engineInstance.findUnique({ where: { id: engineIds.get("solo") ?? "" } });
    expect(row?.transport).toBe("kafka");
    const input = `weir-in-${randomUUID()}`;
    const output = `weir-out-${randomUUID()}`;
    const records = inputLines(1_000, 7);
    await kcatProduce(
      brokers,
      input,
      records.map((r) => r.line),
    );
    const code = `export default (r) => ({ key: r.key, value: { ...r.value, doubled: r.value.n * 2 } })`;
    const spec: FlowSpecInput = {
      name: "kafka transport round trip",
      nodes: [
        {
          id: "src",
          kind: "source",
          type: "kafka-source",
          config: { brokers: [brokers], topics: [input], fromBeginning: "earliest" },
        },
        { id: "fn", kind: "function", type: "function", config: { code }, parallelism: 2 },
        { id: "out", kind: "sink", type: "kafka-sink", config: { brokers: [brokers], topic: output } },
      ],
      edges: [
        { id: "e1", from: { node: "src", port: "out" }, to: { node: "fn" }, partitions: 3 },
        { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
      ],
    };
    const flow = await t.api.flow.create(spec);
    await t.api.deployment.deploy({ flowId: flow.id });

    const consumed = await eventually(
      async () => {
        const got = await kcatConsume(brokers, output).catch((): Consumed[] => []);
        return firstDeliveries(got).length >= records.length ? got : undefined;
      },
      "every record on the output topic",
      45_000,
    );
    // At least once: a rebalance between the function's two members (the second may join after
    // the first has started) can deliver a record again; the first deliveries are exactly the
    // input, in order per key, and the copies are few.
    const first = firstDeliveries(consumed);
    expect(first).toHaveLength(records.length);
    expect(consumed.length - first.length).toBeLessThan(records.length / 2);
    const seqsByKey = new Map<string, number[]>();
    for (const { key, value } of first) {
      const v = value as { key: string; seq: number; n: number; doubled: number };
      expect(v.key).toBe(key);
      expect(v.doubled).toBe(v.n * 2);
      seqsByKey.set(key, [...(seqsByKey.get(key) ?? []), v.seq]);
    }
    expect(seqsByKey.size).toBe(7);
    for (const [key, seqs] of seqsByKey) expect(seqs, `order of ${key}`).toEqual([...seqs.keys()]);

    // e1 asked for partitions of its own, so it is a topic; e2 leads to a Kafka sink, whose topic it is.
    expect(await flowTopics(brokers, flow.id)).toEqual([`weir.${flow.id}.v1.e1`]);
    // Retention counts from when a record reached the edge, not from its own (maybe old) timestamp.
    expect(await topicConfig(brokers, `weir.${flow.id}.v1.e1`, "message.timestamp.type")).toBe(
      "LogAppendTime",
    );
    // Once everything is committed the function's lag is 0, reported per partition on request.
    const fn = await eventually(async () => {
      const stats = await t.api.stats.get({ flowId: flow.id, partitions: true });
      const node = stats.nodes.find((n) => n.nodeId === "fn");
      return node?.recordsIn === records.length && node.lag === 0 ? node : undefined;
    }, "function stats with lag 0");
    expect(Object.keys(fn.partitionLag ?? {}).sort()).toEqual(
      [0, 1, 2].map((p) => `weir.${flow.id}.v1.e1/${p}`),
    );

    await t.api.deployment.stop({ flowId: flow.id });
    await t.api.flow.delete({ id: flow.id });
    await eventually(
      async () => ((await flowTopics(brokers, flow.id)).length === 0 ? true : undefined),
      "the flow's topics deleted with the flow",
      30_000,
    );
    await engines.pop()?.stop();
  });

  it("shares the work between two engines and runs a generator on exactly one, failing over when it dies", async () => {
    const first = await engine("a");
    const second = await engine("b");
    const spec: FlowSpecInput = {
      name: "shared generator flow",
      nodes: [
        { id: "gen", kind: "source", type: "generator", config: { intervalMs: 5, key: "k{{seq}}" } },
        { id: "fn", kind: "function", type: "function", config: { code: "export default (r) => r" } },
        { id: "log", kind: "sink", type: "log", config: {} },
      ],
      edges: [
        { id: "e1", from: { node: "gen", port: "out" }, to: { node: "fn" } },
        { id: "e2", from: { node: "fn", port: "out" }, to: { node: "log" } },
      ],
    };
    const flow = await t.api.flow.create(spec);
    const deployment = await t.api.deployment.deploy({ flowId: flow.id });

    // Both engines' function instances get partitions and process records.
    const shared = await eventually(
      async () => {
        const rows = await nodeRows(deployment.id, "fn");
        return rows.filter((row) => row.recordsIn > 0n).length === 2 ? rows : undefined;
      },
      "function records processed on both engines",
      40_000,
    );
    expect(new Set(shared.map((row) => row.engineId)).size).toBe(2);

    // The generator runs on one engine at a time: the lease holder. (Under heavy load a lease can
    // lapse and move, leaving the old holder's row behind, so look at whose count grows now.)
    const before = await nodeRows(deployment.id, "gen");
    const generators = await eventually(
      async () => {
        const grew = (await nodeRows(deployment.id, "gen")).filter(
          (row) => row.recordsOut > (before.find((b) => b.engineId === row.engineId)?.recordsOut ?? 0n),
        );
        return grew.length > 0 ? grew : undefined;
      },
      "the generator producing",
      10_000,
    );
    expect(generators).toHaveLength(1);
    const holderId = generators[0]?.engineId;
    const holder = holderId?.startsWith("a-") ? first : second;
    const survivorPrefix = holderId?.startsWith("a-") ? "b-" : "a-";

    await holder.kill();
    const takenOver = await eventually(
      async () => {
        const rows = await nodeRows(deployment.id, "gen");
        const survivor = rows.find((row) => row.engineId.startsWith(survivorPrefix));
        return survivor && survivor.recordsOut > 20n ? survivor : undefined;
      },
      "the generator running on the surviving engine",
      30_000,
    );
    expect(takenOver.engineId.startsWith(survivorPrefix)).toBe(true);
    expect((await t.api.deployment.status({ flowId: flow.id }))?.actualState).toBe("running");

    // Stopping keeps the topics for inspection; deleting the flow removes them.
    await t.api.deployment.stop({ flowId: flow.id });
    await eventually(async () => {
      const status = await t.api.deployment.status({ flowId: flow.id });
      return status?.actualState === "stopped" ? status : undefined;
    }, "a stopped deployment");
    expect(await flowTopics(brokers, flow.id)).toHaveLength(2);
    await t.api.flow.delete({ id: flow.id });
    await eventually(
      async () => ((await flowTopics(brokers, flow.id)).length === 0 ? true : undefined),
      "the flow's topics deleted with the flow",
      30_000,
    );
  });
});
