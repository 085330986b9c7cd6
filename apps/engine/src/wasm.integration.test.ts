// A flow that mixes runtimes, through a real engine process: a `js` node shapes generated records
// and a `wasm` node runs the Go example component (examples/functions/go) uploaded as an
// artifact, with its log lines, state, metrics and failures where the engine keeps them.
import { exampleComponent } from "@weir/testkit/function-examples";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
import { expectFlowAccounted } from "../test/accounting";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();

let engine: EngineProcess;
let artifact: string;
beforeAll(async () => {
  const { bytes } = await exampleComponent("go");
  const [uploaded] = await Promise.all([
    t.api.artifacts.upload({ base64: Buffer.from(bytes).toString("base64"), name: "go transform" }),
    startEngine(t.url).then((started) => (engine = started)),
  ]);
  artifact = uploaded.sha256;
}, 300_000);
afterAll(async () => {
  await engine.stop();
});

// Every fifth record is not an object with an amount: the Go function fails it.
const shape = `export default (record) => {
  const seq = record.value.seq;
  return { value: seq % 5 === 4 ? "not an order" : { name: "item" + seq, amount: seq } };
}`;

function mixedFlow(count: number): FlowSpecInput {
  return {
    name: "js then wasm",
    nodes: [
      { id: "gen", kind: "source", type: "generator", config: { intervalMs: 0, count } },
      { id: "shape", kind: "function", type: "function", config: { code: shape } },
      {
        id: "go",
        kind: "function",
        type: "function",
        config: { runtime: "wasm", artifact, maxAttempts: 2, retryBackoffMs: 1, batchSize: 7 },
      },
      { id: "out", kind: "sink", type: "log", config: { keep: 1000 } },
    ],
    edges: [
      { id: "e1", from: { node: "gen", port: "out" }, to: { node: "shape" } },
      { id: "e2", from: { node: "shape", port: "out" }, to: { node: "go" } },
      { id: "e3", from: { node: "go", port: "out" }, to: { node: "out" } },
    ],
  };
}

interface Transformed {
  name: string;
  amount: number;
  doubled: number;
  count: number;
}

describe("a js node and a wasm node in one flow", () => {
  it("deploys and runs end to end: outputs, state, logs, metrics and dead letters", async () => {
    const flow = await t.api.flow.create(mixedFlow(20));
    await t.api.deployment.deploy({ flowId: flow.id });
    const values = await eventually(
      async () => {
        const rows = await t.api.logs.read({ flowId: flow.id, nodeId: "out", limit: 100 });
        return rows.length === 16
          ? rows.map((row) => (row.record as unknown as { value: Transformed }).value)
          : undefined;
      },
      "16 records through both runtimes",
      60_000,
    );
    const kept = Array.from({ length: 20 }, (_, seq) => seq).filter((seq) => seq % 5 !== 4);
    expect(values).toEqual(
      kept.map((seq, index) => ({ name: `ITEM${seq}`, amount: seq, doubled: seq * 2, count: index + 1 })),
    );

    const dead = await eventually(async () => {
      const rows = await t.api.deadLetters.list({ flowId: flow.id, limit: 100 });
      return rows.length === 4 ? rows : undefined;
    }, "4 dead letters from the wasm node");
    expect(dead.every((d) => d.nodeId === "go" && d.attempts === 2)).toBe(true);
    expect(dead[0]?.error).toBe('value must be an object with a numeric amount, got "not an order"');

    const count = await t.db.functionState.findUnique({
      where: { flowId_nodeId_key: { flowId: flow.id, nodeId: "go", key: "count" } },
    });
    expect(count?.value).toBe(16);
    const logs = await eventually(async () => {
      const rows = await t.api.logs.function({ flowId: flow.id, nodeId: "go", limit: 100 });
      return rows.length === 16 ? rows : undefined;
    }, "16 log lines from the wasm node");
    expect(logs.map((line) => line.message)).toEqual(
      kept.map((seq, index) => `record ${index + 1}: item${seq}`),
    );
    const stats = await eventually(async () => {
      const node = (await t.api.stats.get({ flowId: flow.id })).nodes.find((n) => n.nodeId === "go");
      // Counters are flushed about once a second, possibly between a batch's input and its outputs.
      return node?.recordsIn === 20 && node.recordsOut === 16 && node.errors === 4 ? node : undefined;
    }, "wasm node stats");
    expect(stats).toMatchObject({
      recordsIn: 20,
      recordsOut: 16,
      errors: 4,
      metrics: { counters: { records: 16 } },
    });
    expect(engine.child.exitCode).toBeNull();
    await expectFlowAccounted(t, flow.id, mixedFlow(20));
    await t.api.deployment.stop({ flowId: flow.id });
  });

  it("triggers the uploaded component on sample records without deploying", async () => {
    const result = await t.api.functions.trigger({
      runtime: "wasm",
      artifact,
      records: [{ value: { name: "ada", amount: 1.5 } }, { value: [] }],
    });
    expect(result).toMatchObject({
      ok: true,
      results: [
        { outputs: { out: [{ value: { name: "ADA", amount: 1.5, doubled: 3, count: 1 } }] }, error: null },
        { outputs: {}, error: { message: "value must be an object with a numeric amount, got []" } },
      ],
      logs: [{ level: "info", message: "record 1: ada" }],
      state: { count: 1 },
    });
  });
});
