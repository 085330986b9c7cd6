// Tailing logs with the `afterId` cursor, as the editor's logs panel polls them (issue #6).
import { describe, expect, it } from "vitest";
import { demoFlow, useTestApi } from "../../test/db";

const t = useTestApi();

describe("logs tail (afterId)", () => {
  it("pages a log sink's records after the cursor, oldest first, and nothing once caught up", async () => {
    const { id: flowId } = await t.api.flow.create(demoFlow("tail-sink"));
    const { id: deploymentId } = await t.api.deployment.deploy({ flowId });
    for (let n = 1; n <= 5; n++)
      await t.db.sinkLogEntry.create({ data: { flowId, deploymentId, nodeId: "out", record: { n } } });

    const newest = await t.api.logs.read({ flowId, nodeId: "out", limit: 2 });
    expect(newest.map((e) => e.record)).toEqual([{ n: 4 }, { n: 5 }]);
    const cursor = newest[0]?.id ?? 0;

    const after = await t.api.logs.read({ flowId, nodeId: "out", afterId: cursor - 3, limit: 2 });
    expect(after.map((e) => e.record)).toEqual([{ n: 2 }, { n: 3 }]);
    const rest = await t.api.logs.read({ flowId, nodeId: "out", afterId: after.at(-1)?.id ?? 0 });
    expect(rest.map((e) => e.record)).toEqual([{ n: 4 }, { n: 5 }]);
    expect(await t.api.logs.read({ flowId, nodeId: "out", afterId: rest.at(-1)?.id ?? 0 })).toEqual([]);

    await t.db.sinkLogEntry.create({ data: { flowId, deploymentId, nodeId: "out", record: { n: 6 } } });
    const next = await t.api.logs.read({ flowId, nodeId: "out", afterId: rest.at(-1)?.id ?? 0 });
    expect(next.map((e) => e.record)).toEqual([{ n: 6 }]);
  });

  it("shows only a sink's newest `keep` when the table holds more (the engine trims every so often)", async () => {
    const spec = demoFlow("tail-keep");
    const flow = await t.api.flow.create({
      ...spec,
      nodes: (spec.nodes ?? []).map((node) => (node.id === "out" ? { ...node, config: { keep: 3 } } : node)),
    });
    const { id: deploymentId } = await t.api.deployment.deploy({ flowId: flow.id });
    for (let n = 1; n <= 6; n++)
      await t.db.sinkLogEntry.create({
        data: { flowId: flow.id, deploymentId, nodeId: "out", record: { n } },
      });
    const newest = await t.api.logs.read({ flowId: flow.id, nodeId: "out", limit: 10 });
    expect(newest.map((e) => e.record)).toEqual([{ n: 4 }, { n: 5 }, { n: 6 }]);
    const tail = await t.api.logs.read({ flowId: flow.id, nodeId: "out", afterId: 0, limit: 10 });
    expect(tail.map((e) => e.record)).toEqual([{ n: 4 }, { n: 5 }, { n: 6 }]);
    const fromFive = await t.api.logs.read({ flowId: flow.id, nodeId: "out", afterId: tail[0]?.id ?? 0 });
    expect(fromFive.map((e) => e.record)).toEqual([{ n: 5 }, { n: 6 }]);
  });

  it("tails a function's ctx.log lines the same way, and refuses a negative cursor", async () => {
    const { id: flowId } = await t.api.flow.create(demoFlow("tail-fn"));
    const { id: deploymentId } = await t.api.deployment.deploy({ flowId });
    const write = (message: string) =>
      t.db.functionLogEntry.create({
        data: { flowId, deploymentId, nodeId: "double", instance: "e1/double#0", level: "info", message },
      });
    await write("one");
    const [first] = await t.api.logs.function({ flowId, nodeId: "double" });
    await write("two");
    await write("three");
    const tail = await t.api.logs.function({ flowId, nodeId: "double", afterId: first?.id ?? 0 });
    expect(tail.map((l) => l.message)).toEqual(["two", "three"]);
    await expect(t.api.logs.function({ flowId, nodeId: "double", afterId: -1 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});
