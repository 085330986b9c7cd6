// One flow with a function node on each runtime, through a real engine process: a `js` node
// shapes generated records, a `wasm` node (the JS guest running TypeScript) adds a field, and a
// `python` node (a sandboxed CPython worker) totals them with state, logs, metrics and failures
// where the engine keeps them. Proves the runtimes plug into the same engine the same way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
import { expectFlowAccounted } from "../test/accounting";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();

let engine: EngineProcess;
beforeAll(async () => {
  engine = await startEngine(t.url);
}, 300_000);
afterAll(async () => {
  await engine.stop();
});

const shape = `export default (record) => ({ value: { seq: record.value.seq, amount: record.value.seq * 10 } });`;

const tag = `export default (record: { value: { seq: number; amount: number } }) => ({
  value: { ...record.value, via: "wasm" },
});`;

// Every fifth record fails in Python (line 5), after writing state that must then not count;
// dead letters name the line.
const total = `def handle(record, ctx):
    value = record["value"]
    ctx.state.set("tried", (ctx.state.get("tried") or 0) + 1)
    if value["seq"] % 5 == 4:
        raise ValueError(f"no total for {value['seq']}")
    running = (ctx.state.get("total") or 0) + value["amount"]
    ctx.state.set("total", running)
    ctx.state.delete("tried")
    ctx.metrics.counter("totalled")
    print("totalled", value["seq"])
    return {"value": {**value, "total": running, "via": value["via"] + "+python"}}
`;

function threeRuntimes(count: number): FlowSpecInput {
  return {
    name: "js, wasm and python",
    nodes: [
      { id: "gen", kind: "source", type: "generator", config: { intervalMs: 0, count } },
      { id: "shape", kind: "function", type: "function", config: { code: shape, language: "javascript" } },
      { id: "tag", kind: "function", type: "function", config: { runtime: "wasm", code: tag } },
      {
        id: "total",
        kind: "function",
        type: "function",
        config: {
          runtime: "python",
          language: "python",
          code: total,
          maxAttempts: 2,
          retryBackoffMs: 1,
          batchSize: 7,
        },
      },
      { id: "out", kind: "sink", type: "log", config: { keep: 1000 } },
    ],
    edges: [
      { id: "e1", from: { node: "gen", port: "out" }, to: { node: "shape" } },
      { id: "e2", from: { node: "shape", port: "out" }, to: { node: "tag" } },
      { id: "e3", from: { node: "tag", port: "out" }, to: { node: "total" } },
      { id: "e4", from: { node: "total", port: "out" }, to: { node: "out" } },
    ],
  };
}

interface Totalled {
  seq: number;
  amount: number;
  via: string;
  total: number;
}

describe("a js, a wasm and a python node in one flow", () => {
  it("deploys and runs end to end: outputs, state, logs, metrics and dead letters", async () => {
    const flow = await t.api.flow.create(threeRuntimes(20));
    await t.api.deployment.deploy({ flowId: flow.id });
    const values = await eventually(
      async () => {
        const rows = await t.api.logs.read({ flowId: flow.id, nodeId: "out", limit: 100 });
        return rows.length === 16
          ? rows.map((row) => (row.record as unknown as { value: Totalled }).value)
          : undefined;
      },
      "16 records through the three runtimes",
      90_000,
    );
    const kept = Array.from({ length: 20 }, (_, seq) => seq).filter((seq) => seq % 5 !== 4);
    let running = 0;
    expect(values).toEqual(
      kept.map((seq) => {
        running += seq * 10;
        return { seq, amount: seq * 10, via: "wasm+python", total: running };
      }),
    );

    const dead = await eventually(async () => {
      const rows = await t.api.deadLetters.list({ flowId: flow.id, limit: 100 });
      return rows.length === 4 ? rows : undefined;
    }, "4 dead letters from the python node");
    expect(dead.every((d) => d.nodeId === "total" && d.attempts === 2)).toBe(true);
    expect(dead.map((d) => d.error).sort()).toEqual(
      [4, 9, 14, 19].map((seq) => `ValueError: no total for ${seq} (line 5)`).sort(),
    );

    const state = await t.db.functionState.findMany({ where: { flowId: flow.id, nodeId: "total" } });
    expect(state.map((row) => [row.key, row.value])).toEqual([["total", running]]);
    const logs = await eventually(async () => {
      const rows = await t.api.logs.function({ flowId: flow.id, nodeId: "total", limit: 100 });
      return rows.length === 16 ? rows : undefined;
    }, "16 log lines from the python node");
    expect(logs.map((line) => line.message)).toEqual(kept.map((seq) => `totalled ${seq}`));
    const stats = await eventually(async () => {
      const node = (await t.api.stats.get({ flowId: flow.id })).nodes.find((n) => n.nodeId === "total");
      return node?.recordsIn === 20 && node.recordsOut === 16 && node.errors === 4 ? node : undefined;
    }, "python node stats");
    expect(stats).toMatchObject({
      recordsIn: 20,
      recordsOut: 16,
      errors: 4,
      metrics: { counters: { totalled: 16 } },
    });
    expect(engine.child.exitCode).toBeNull();
    await expectFlowAccounted(t, flow.id, threeRuntimes(20));
    await t.api.deployment.stop({ flowId: flow.id });
  });

  it("tries Python code through functions.trigger, with problems at their line", async () => {
    const result = await t.api.functions.trigger({
      runtime: "python",
      language: "python",
      code: total,
      records: [{ value: { seq: 1, amount: 5, via: "test" } }, { value: { seq: 4, amount: 1, via: "test" } }],
    });
    expect(result).toMatchObject({
      ok: true,
      results: [
        { outputs: { out: [{ value: { seq: 1, amount: 5, via: "test+python", total: 5 } }] }, error: null },
        { outputs: {}, error: { message: "ValueError: no total for 4", line: 5 } },
      ],
      logs: [{ level: "info", message: "totalled 1" }],
      state: { total: 5 },
    });
    const broken = await t.api.functions.trigger({
      runtime: "python",
      language: "python",
      code: "def handle(record, ctx):\n    return record +\n",
      records: [{ value: 1 }],
    });
    expect(broken).toMatchObject({ ok: false, problems: [{ line: 2, message: "invalid syntax" }] });
  });
});
