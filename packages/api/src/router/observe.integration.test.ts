// What engines report back: stats, log sinks, dead letters, heartbeats. Rows are written directly,
// as engines would.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { demoFlow, useTestApi } from "../../test/db";
import { arrayContaining, containing } from "../../test/match";

const t = useTestApi();

async function deployedFlow(name: string): Promise<{ flowId: string; deploymentId: string }> {
  const { id } = await t.api.flow.create(demoFlow(name));
  const deployment = await t.api.deployment.deploy({ flowId: id });
  return { flowId: id, deploymentId: deployment.id };
}

describe("stats", () => {
  it("sums every engine's rows per node and gives unreported nodes zeros", async () => {
    const { flowId, deploymentId } = await deployedFlow("stats");
    const row = { deploymentId, nodeId: "double" };
    await t.db.nodeStats.createMany({
      data: [
        {
          ...row,
          engineId: "a",
          recordsIn: 10n,
          recordsOut: 9n,
          errors: 1n,
          rate: 2.5,
          lastError: "old",
          lastErrorAt: new Date(1_000),
        },
        {
          ...row,
          engineId: "b",
          recordsIn: 5n,
          recordsOut: 5n,
          errors: 2n,
          rate: 1.5,
          lastError: "new",
          lastErrorAt: new Date(2_000),
        },
        { deploymentId, nodeId: "gen", engineId: "a", recordsOut: 15n, rate: 4 },
      ],
    });

    const stats = await t.api.stats.get({ flowId });
    expect(stats.deployment).toMatchObject({ id: deploymentId, version: 1 });
    expect(stats.nodes).toEqual([
      { nodeId: "gen", recordsIn: 0, recordsOut: 15, errors: 0, rate: 4, lastError: null, lastErrorAt: null },
      {
        nodeId: "double",
        recordsIn: 15,
        recordsOut: 14,
        errors: 3,
        rate: 4,
        lastError: "new",
        lastErrorAt: new Date(2_000).toISOString(),
      },
      { nodeId: "out", recordsIn: 0, recordsOut: 0, errors: 0, rate: 0, lastError: null, lastErrorAt: null },
    ]);
  });

  it("reads a given deployment, and no deployment at all", async () => {
    const { flowId, deploymentId } = await deployedFlow("stats-older");
    await t.db.nodeStats.create({ data: { deploymentId, nodeId: "gen", engineId: "a", recordsOut: 7n } });
    await t.api.deployment.deploy({ flowId });

    expect((await t.api.stats.get({ flowId })).nodes[0]?.recordsOut).toBe(0);
    expect((await t.api.stats.get({ flowId, deploymentId })).nodes[0]?.recordsOut).toBe(7);

    const { id } = await t.api.flow.create(demoFlow("stats-none"));
    expect(await t.api.stats.get({ flowId: id })).toEqual({ deployment: null, nodes: [] });
    await expect(t.api.stats.get({ flowId, deploymentId: randomUUID() })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("logs", () => {
  it("returns the newest entries of a log sink, oldest of them first", async () => {
    const { flowId, deploymentId } = await deployedFlow("logs");
    for (let n = 1; n <= 5; n++) {
      await t.db.sinkLogEntry.create({
        data: { flowId, deploymentId, nodeId: "out", record: { value: { n } } },
      });
    }
    await t.db.sinkLogEntry.create({
      data: { flowId: randomUUID(), deploymentId, nodeId: "out", record: { other: true } },
    });

    const all = await t.api.logs.read({ flowId, nodeId: "out" });
    expect(all.map((e) => e.record)).toEqual([1, 2, 3, 4, 5].map((n) => ({ value: { n } })));
    expect(typeof all[0]?.id).toBe("number");
    expect(typeof all[0]?.createdAt).toBe("string");

    const lastTwo = await t.api.logs.read({ flowId, nodeId: "out", limit: 2 });
    expect(lastTwo.map((e) => e.record)).toEqual([{ value: { n: 4 } }, { value: { n: 5 } }]);
  });

  it("refuses nodes that are not log sinks, and out-of-range limits", async () => {
    const { flowId } = await deployedFlow("logs-reject");
    await expect(t.api.logs.read({ flowId, nodeId: "double" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: containing("'double' is a 'function' node in version 1"),
    });
    await expect(t.api.logs.read({ flowId, nodeId: "ghost" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(t.api.logs.read({ flowId, nodeId: "out", limit: 1001 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(t.api.logs.read({ flowId: randomUUID(), nodeId: "out" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("dead letters", () => {
  it("lists a flow's dead letters newest first, optionally for one node", async () => {
    const { flowId, deploymentId } = await deployedFlow("dlq");
    const flowVersionId = (await t.db.deployment.findUniqueOrThrow({ where: { id: deploymentId } }))
      .flowVersionId;
    const base = { flowId, deploymentId, flowVersionId, attempts: 5 };
    await t.db.deadLetter.create({ data: { ...base, nodeId: "double", record: { n: 1 }, error: "boom 1" } });
    await t.db.deadLetter.create({ data: { ...base, nodeId: "out", record: { n: 2 }, error: "boom 2" } });

    const all = await t.api.deadLetters.list({ flowId });
    expect(all.map((d) => d.error)).toEqual(["boom 2", "boom 1"]);
    expect(all[0]).toMatchObject({ nodeId: "out", attempts: 5, replayedAt: null, record: { n: 2 } });
    expect((await t.api.deadLetters.list({ flowId, nodeId: "double" })).map((d) => d.error)).toEqual([
      "boom 1",
    ]);
  });
});

describe("engines and node types", () => {
  it("marks engines alive by heartbeat age", async () => {
    await t.db.engineInstance.createMany({
      data: [
        { id: "fresh", ingestUrl: "http://localhost:4100" },
        { id: "stale", ingestUrl: "http://localhost:4101", heartbeatAt: new Date(Date.now() - 60_000) },
      ],
    });
    const engines = await t.api.engine.list();
    expect(engines.map((e) => [e.id, e.alive, e.ingestUrl])).toEqual(
      arrayContaining([
        ["fresh", true, "http://localhost:4100"],
        ["stale", false, "http://localhost:4101"],
      ]),
    );
  });

  it("describes the built-in node types with JSON Schemas of their config", async () => {
    const types = await t.api.nodeTypes.list();
    const log = types.find((nt) => nt.type === "log");
    expect(log).toMatchObject({ kind: "sink", ports: { fixed: [] } });
    expect(log?.configJsonSchema).toMatchObject({
      type: "object",
      properties: { keep: { type: "integer" } },
    });
    // io "input": fields with defaults are optional in what a form submits.
    expect(log?.configJsonSchema.required).toBeUndefined();
    expect(types.map((nt) => nt.type)).toEqual(arrayContaining(["generator", "function", "webhook"]));
  });
});
