import { describe, expect, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
import { expectAccounted } from "../test/accounting";
import { eventually, startEngine } from "../test/engine-process";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();

const flowSpec = {
  name: "counter",
  nodes: [
    { id: "gen", kind: "source" as const, type: "generator", config: { intervalMs: 5 } },
    { id: "out", kind: "sink" as const, type: "log", config: { keep: 10_000 } },
  ],
  edges: [{ id: "e1", from: { node: "gen", port: "out" }, to: { node: "out" } }],
};

function seqs(rows: { record: unknown }[]): number[] {
  return rows.map((row) => (row.record as { value: { seq: number } }).value.seq);
}

describe("engine restart and stop", () => {
  it("drains in-flight records on stop: everything a source emitted reaches the sink", async () => {
    const engine = await startEngine(t.url);
    try {
      const drain: FlowSpecInput = {
        ...flowSpec,
        name: "drain",
        nodes: [
          { id: "gen", kind: "source", type: "generator", config: { intervalMs: 0 } },
          {
            id: "async",
            kind: "function",
            type: "function",
            config: {
              code: "export default async (r) => { await null; return r; }",
              batchSize: 10,
            },
          },
          { id: "out", kind: "sink", type: "log", config: { keep: 10 } },
        ],
        edges: [
          { id: "e1", from: { node: "gen", port: "out" }, to: { node: "async" } },
          { id: "e2", from: { node: "async", port: "out" }, to: { node: "out" } },
        ],
      };
      const flow = await t.api.flow.create(drain);
      await t.api.deployment.deploy({ flowId: flow.id });
      await eventually(async () => {
        const stats = await t.api.stats.get({ flowId: flow.id });
        return (stats.nodes.find((n) => n.nodeId === "out")?.recordsIn ?? 0) > 2000 ? true : undefined;
      }, "records flowing");
      await t.api.deployment.stop({ flowId: flow.id });
      await eventually(
        async () =>
          (await t.api.deployment.status({ flowId: flow.id }))?.actualState === "stopped" ? true : undefined,
        "stopped",
      );
      const stats = await t.api.stats.get({ flowId: flow.id });
      const byNode = Object.fromEntries(stats.nodes.map((n) => [n.nodeId, n]));
      expect(byNode.gen?.recordsOut).toBeGreaterThan(2000);
      expect(byNode.async?.recordsIn).toBe(byNode.gen?.recordsOut);
      expect(byNode.out?.recordsIn).toBe(byNode.gen?.recordsOut);
      expect(await t.db.deadLetter.count({ where: { flowId: flow.id } })).toBe(0);
      // Stopped and flushed for the last time: every record is accounted for, none in flight.
      expectAccounted(stats, drain);
      expect(stats.nodes.map((n) => n.accounting.inFlight)).toEqual([0, 0, 0]);
    } finally {
      await engine.stop();
    }
  });

  it("picks a running deployment up again after an engine restart and continues the sequence", async () => {
    const first = await startEngine(t.url);
    const flow = await t.api.flow.create(flowSpec);
    await t.api.deployment.deploy({ flowId: flow.id });
    await eventually(async () => {
      const rows = await t.api.logs.read({ flowId: flow.id, nodeId: "out", limit: 1000 });
      return rows.length >= 20 ? true : undefined;
    }, "first records");
    expect(await first.stop()).toBe(0);
    const afterFirst = seqs(await t.api.logs.read({ flowId: flow.id, nodeId: "out", limit: 1000 }));
    expect((await t.api.deployment.status({ flowId: flow.id }))?.actualState).toBe("pending");

    const second = await startEngine(t.url);
    try {
      await eventually(
        async () =>
          (await t.api.deployment.status({ flowId: flow.id }))?.actualState === "running" ? true : undefined,
        "running again",
      );
      const all = await eventually(async () => {
        const rows = seqs(await t.api.logs.read({ flowId: flow.id, nodeId: "out", limit: 1000 }));
        return rows.length >= afterFirst.length + 20 ? rows : undefined;
      }, "more records after restart");
      // The generator's checkpoint carries the sequence across the restart: no restart from 0, no gap.
      expect(all).toEqual([...all.keys()]);
    } finally {
      await t.api.deployment.stop({ flowId: flow.id });
      await second.stop();
    }
  });
});
