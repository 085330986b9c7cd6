// kafka → js → kafka through a real engine process, with Debian's kcat (a client nobody here
// wrote) producing the input and consuming the output.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
// Brings in the ProvidedContext augmentation that types inject("kafkaBrokers").
import type {} from "@weir/testkit/kafka-setup";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { inputLines, kcatConsume as consumeWithKcat, kcatProduce as produceWithKcat } from "../test/kcat";
import type { Consumed } from "../test/kcat";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();
let engine: EngineProcess;
let brokers: string;

beforeAll(async () => {
  brokers = inject("kafkaBrokers");
  engine = await startEngine(t.url);
});
afterAll(async () => {
  await engine.stop();
});

const kcatProduce = (topic: string, lines: readonly string[]): Promise<void> =>
  produceWithKcat(brokers, topic, lines);
const kcatConsume = (topic: string): Promise<Consumed[]> => consumeWithKcat(brokers, topic);

function kafkaFlow(name: string, input: string, output: string): FlowSpecInput {
  const code = `export default (r) => ({ key: r.key, headers: r.headers, value: { ...r.value, doubled: r.value.n * 2 } })`;
  return {
    name,
    nodes: [
      {
        id: "src",
        kind: "source",
        type: "kafka-source",
        config: { brokers: brokers.split(","), topics: [input], fromBeginning: "earliest" },
      },
      { id: "fn", kind: "function", type: "function", config: { code } },
      { id: "out", kind: "sink", type: "kafka-sink", config: { brokers: brokers.split(","), topic: output } },
    ],
    edges: [
      { id: "e1", from: { node: "src", port: "out" }, to: { node: "fn" } },
      { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
    ],
  };
}

async function outputOf(topic: string, count: number): Promise<Consumed[]> {
  return eventually(
    async () => {
      const consumed = await kcatConsume(topic).catch(() => []);
      return consumed.length >= count ? consumed : undefined;
    },
    `${String(count)} records on ${topic}`,
    45_000,
  );
}

describe("kafka → js → kafka", () => {
  it("transforms every record kcat produced and keeps the order per key", async () => {
    const input = `weir-in-${randomUUID()}`;
    const output = `weir-out-${randomUUID()}`;
    const records = inputLines(1_000, 7);
    await kcatProduce(
      input,
      records.map((r) => r.line),
    );

    const flow = await t.api.flow.create(kafkaFlow("kafka round trip", input, output));
    await t.api.deployment.deploy({ flowId: flow.id });
    const consumed = await outputOf(output, records.length);

    expect(consumed).toHaveLength(records.length);
    for (const { key, value } of consumed) {
      const v = value as { key: string; n: number; doubled: number };
      expect(v.key).toBe(key);
      expect(v.doubled).toBe(v.n * 2);
    }
    const seqsByKey = new Map<string, number[]>();
    for (const { key, value } of consumed) {
      seqsByKey.set(key, [...(seqsByKey.get(key) ?? []), (value as { seq: number }).seq]);
    }
    for (const [key, seqs] of seqsByKey) {
      expect(seqs, `order of ${key}`).toEqual([...seqs.keys()]);
    }
    expect(seqsByKey.size).toBe(7);

    await t.api.deployment.stop({ flowId: flow.id });
  });

  it("runs a source and a sink that name a connection profile instead of brokers", async () => {
    const input = `weir-in-${randomUUID()}`;
    const output = `weir-out-${randomUUID()}`;
    const records = inputLines(50, 3);
    await kcatProduce(
      input,
      records.map((r) => r.line),
    );
    const profile = `plain-${randomUUID()}`;
    await t.api.connections.set({ name: profile, kind: "kafka", config: { brokers: brokers.split(",") } });

    const spec = kafkaFlow("kafka via profile", input, output);
    const nodes = spec.nodes?.map((node) => {
      if (node.kind === "function") return node;
      const config = Object.entries(node.config ?? {}).filter(([key]) => key !== "brokers");
      return { ...node, config: { ...Object.fromEntries(config), connection: profile } };
    });
    const flow = await t.api.flow.create({ ...spec, nodes });
    await t.api.deployment.deploy({ flowId: flow.id });
    const consumed = await outputOf(output, records.length);
    expect(consumed.map((c) => (c.value as { n: number }).n).sort((a, b) => a - b)).toEqual(
      records.map((_, i) => i),
    );

    await t.api.deployment.stop({ flowId: flow.id });
  });

  it("fails a deployment whose connection profile was deleted after it was deployed", async () => {
    const profile = `gone-${randomUUID()}`;
    await t.api.connections.set({ name: profile, kind: "kafka", config: { brokers: brokers.split(",") } });
    const spec = kafkaFlow("kafka missing profile", `weir-in-${randomUUID()}`, `weir-out-${randomUUID()}`);
    const nodes = spec.nodes?.map((node) =>
      node.id === "src" ? { ...node, config: { topics: ["never-read"], connection: profile } } : node,
    );
    const flow = await t.api.flow.create({ ...spec, nodes });
    // The API refuses to deploy with a missing profile; the engine must still guard against one
    // deleted between deploy and start, so the deployment row is written directly here.
    await t.api.connections.delete({ name: profile });
    const version = await t.db.flowVersion.findFirstOrThrow({ where: { flowId: flow.id } });
    await t.db.deployment.create({
      data: { flowId: flow.id, flowVersionId: version.id, desiredState: "running", actualState: "pending" },
    });
    const status = await eventually(async () => {
      const latest = await t.api.deployment.status({ flowId: flow.id });
      return latest?.actualState === "failed" ? latest : undefined;
    }, "a failed deployment");
    expect(status.error).toContain(`node 'src': connection profile '${profile}' not found`);
  });

  it("dead-letters a record with bad JSON and carries on with the others", async () => {
    const input = `weir-in-${randomUUID()}`;
    const output = `weir-out-${randomUUID()}`;
    const good = inputLines(20, 2);
    const lines = good.map((r) => r.line);
    lines.splice(10, 0, "k0\t{this is not json");
    await kcatProduce(input, lines);

    const flow = await t.api.flow.create(kafkaFlow("kafka bad json", input, output));
    await t.api.deployment.deploy({ flowId: flow.id });
    const consumed = await outputOf(output, good.length);
    expect(consumed.map((c) => (c.value as { n: number }).n).sort((a, b) => a - b)).toEqual(
      good.map((_, i) => i),
    );

    const deadLetters = await eventually(async () => {
      const rows = await t.api.deadLetters.list({ flowId: flow.id, limit: 10 });
      return rows.length === 1 ? rows : undefined;
    }, "one dead letter");
    expect(deadLetters[0]).toMatchObject({ nodeId: "src" });
    expect(JSON.stringify(deadLetters[0])).toContain("bad JSON");
    expect(JSON.stringify(deadLetters[0])).toContain("{this is not json");

    // Stats are flushed periodically: the bad record shows as the source's one error.
    await eventually(async () => {
      const stats = await t.api.stats.get({ flowId: flow.id });
      const src = stats.nodes.find((n) => n.nodeId === "src");
      return src?.recordsOut === good.length && src.errors === 1 ? src : undefined;
    }, "source stats with one error");

    await t.api.deployment.stop({ flowId: flow.id });
  });
});
