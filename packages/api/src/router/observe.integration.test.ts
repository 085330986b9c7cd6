// What engines report back: stats, log sinks, dead letters, heartbeats. Rows are written directly,
// as engines would.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { demoFlow, useTestApi } from "../../test/db";
import { arrayContaining, containing } from "../../test/match";

const t = useTestApi();

const noMetrics = { counters: {}, histograms: {} };
// These rows were written without the engine's accounting (issue 10): it reads as zeros.
const noAccounting = { completed: 0, deadLettered: 0, inFlight: 0 };

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
      {
        nodeId: "gen",
        recordsIn: 0,
        recordsOut: 15,
        errors: 0,
        rate: 4,
        lastError: null,
        lastErrorAt: null,
        lag: null,
        metrics: noMetrics,
        accounting: noAccounting,
      },
      {
        nodeId: "double",
        recordsIn: 15,
        recordsOut: 14,
        errors: 3,
        rate: 4,
        lastError: "new",
        lastErrorAt: new Date(2_000).toISOString(),
        lag: null,
        metrics: noMetrics,
        accounting: noAccounting,
      },
      {
        nodeId: "out",
        recordsIn: 0,
        recordsOut: 0,
        errors: 0,
        rate: 0,
        lastError: null,
        lastErrorAt: null,
        lag: null,
        metrics: noMetrics,
        accounting: noAccounting,
      },
    ]);
  });

  it("sums user counters and merges histograms over engines", async () => {
    const { flowId, deploymentId } = await deployedFlow("stats-metrics");
    const row = { deploymentId, nodeId: "double" };
    await t.db.nodeStats.createMany({
      data: [
        {
          ...row,
          engineId: "a",
          metrics: {
            counters: { seen: 3, big: 1 },
            histograms: { size: { count: 2, sum: 30, min: 10, max: 20 } },
          },
        },
        {
          ...row,
          engineId: "b",
          metrics: {
            counters: { seen: 4 },
            histograms: {
              size: { count: 3, sum: 21, min: 5, max: 9 },
              idle: { count: 0, sum: 0, min: null, max: null },
            },
          },
        },
        // An engine that has not recorded anything yet, and one whose report does not fit.
        { ...row, engineId: "c" },
        { ...row, engineId: "d", metrics: { counters: { seen: "many" }, histograms: { size: 7 } } },
      ],
    });

    const stats = await t.api.stats.get({ flowId });
    const double = stats.nodes.find((n) => n.nodeId === "double");
    expect(double?.metrics).toEqual({
      counters: { seen: 7, big: 1 },
      histograms: {
        size: { count: 5, sum: 51, min: 5, max: 20 },
        idle: { count: 0, sum: 0, min: null, max: null },
      },
    });
    expect(stats.nodes.find((n) => n.nodeId === "gen")?.metrics).toEqual(noMetrics);
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

  it("answers NOT_FOUND for nodes that are not log sinks, BAD_REQUEST for out-of-range limits", async () => {
    const { flowId } = await deployedFlow("logs-reject");
    await expect(t.api.logs.read({ flowId, nodeId: "double" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: containing("'double' is a 'function' node in version 1"),
    });
    await expect(t.api.logs.read({ flowId, nodeId: "ghost" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(t.api.logs.read({ flowId, nodeId: "out", limit: 1001 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(t.api.logs.read({ flowId: randomUUID(), nodeId: "out" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("function logs", () => {
  it("returns a function node's newest lines from every engine, oldest of them first", async () => {
    const { flowId, deploymentId } = await deployedFlow("fn-logs");
    const line = (n: number, instance = "engine-a/double#0") => ({
      flowId,
      deploymentId,
      nodeId: "double",
      instance,
      level: n === 3 ? "warn" : "info",
      message: `line ${n}`,
    });
    for (let n = 1; n <= 4; n++) {
      await t.db.functionLogEntry.create({
        data: line(n, n % 2 === 0 ? "engine-b/double#1" : "engine-a/double#0"),
      });
    }
    await t.db.functionLogEntry.create({ data: { ...line(9), flowId: randomUUID() } });
    await t.db.functionLogEntry.create({ data: { ...line(9), nodeId: "gen" } });

    const all = await t.api.logs.function({ flowId, nodeId: "double" });
    expect(all.map((e) => e.message)).toEqual(["line 1", "line 2", "line 3", "line 4"]);
    expect(all[1]).toEqual({
      id: expect.any(Number) as unknown,
      instance: "engine-b/double#1",
      level: "info",
      message: "line 2",
      traceId: null,
      createdAt: expect.any(String) as unknown,
    });
    const lastTwo = await t.api.logs.function({ flowId, nodeId: "double", limit: 2 });
    expect(lastTwo.map((e) => [e.level, e.message])).toEqual([
      ["warn", "line 3"],
      ["info", "line 4"],
    ]);
  });

  it("answers NOT_FOUND for nodes that are not functions and missing flows, BAD_REQUEST for bad limits", async () => {
    const { flowId } = await deployedFlow("fn-logs-reject");
    await expect(t.api.logs.function({ flowId, nodeId: "out" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: containing("'out' is a 'log' node in version 1"),
    });
    await expect(t.api.logs.function({ flowId, nodeId: "ghost" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: containing("'ghost' is not a node"),
    });
    await expect(t.api.logs.function({ flowId, nodeId: "double", limit: 0 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(t.api.logs.function({ flowId: randomUUID(), nodeId: "double" })).rejects.toMatchObject({
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
    expect(all[0]).toMatchObject({
      nodeId: "out",
      flowVersionId,
      attempts: 5,
      replayRequestedAt: null,
      replayedAt: null,
      record: { n: 2 },
    });
    expect((await t.api.deadLetters.list({ flowId, nodeId: "double" })).map((d) => d.error)).toEqual([
      "boom 1",
    ]);
  });

  it("requests replays of this flow's letters that were not replayed yet, and filters by status", async () => {
    const { flowId, deploymentId } = await deployedFlow("dlq-replay");
    const other = await deployedFlow("dlq-replay-other");
    const flowVersionId = (await t.db.deployment.findUniqueOrThrow({ where: { id: deploymentId } }))
      .flowVersionId;
    const base = { flowId, deploymentId, flowVersionId, nodeId: "double", attempts: 3, error: "boom" };
    const pending = await t.db.deadLetter.create({ data: { ...base, record: { n: 1 } } });
    const waiting = await t.db.deadLetter.create({
      data: { ...base, record: { n: 2 }, replayRequestedAt: new Date(1_000) },
    });
    const done = await t.db.deadLetter.create({
      data: { ...base, record: { n: 3 }, replayRequestedAt: new Date(1_000), replayedAt: new Date(2_000) },
    });
    const foreign = await t.db.deadLetter.create({
      data: { ...base, flowId: other.flowId, deploymentId: other.deploymentId, record: { n: 4 } },
    });

    const statusOf = async (status: "pending" | "replay-requested" | "replayed") =>
      (await t.api.deadLetters.list({ flowId, status })).map((d) => d.record);
    expect(await statusOf("pending")).toEqual([{ n: 1 }]);
    expect(await statusOf("replay-requested")).toEqual([{ n: 2 }]);
    expect(await statusOf("replayed")).toEqual([{ n: 3 }]);

    const before = Date.now();
    const ids = [pending.id, waiting.id, done.id, foreign.id].map(Number);
    // Ids as numbers (what list returns) or as digit strings.
    expect(
      await t.api.deadLetters.replay({
        flowId,
        ids: [ids[0] ?? 0, String(ids[1]), ids[2] ?? 0, ids[3] ?? 0],
      }),
    ).toEqual({
      requested: 2,
    });

    expect(await statusOf("pending")).toEqual([]);
    expect(await statusOf("replay-requested")).toEqual([{ n: 2 }, { n: 1 }]);
    const rows = await t.api.deadLetters.list({ flowId });
    for (const row of rows.filter((r) => r.replayedAt === null)) {
      expect(Date.parse(row.replayRequestedAt ?? "")).toBeGreaterThanOrEqual(before - 1_000);
    }
    expect(rows.find((r) => r.id === Number(done.id))).toMatchObject({
      replayRequestedAt: new Date(1_000).toISOString(),
      replayedAt: new Date(2_000).toISOString(),
    });
    // The other flow's letter was not touched.
    expect(await t.db.deadLetter.findUniqueOrThrow({ where: { id: foreign.id } })).toMatchObject({
      replayRequestedAt: null,
    });
  });

  it("refuses replays of a missing flow or without valid ids", async () => {
    const { flowId } = await deployedFlow("dlq-reject");
    await expect(t.api.deadLetters.replay({ flowId: randomUUID(), ids: [1] })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(t.api.deadLetters.replay({ flowId, ids: [] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(t.api.deadLetters.replay({ flowId, ids: [-1] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(t.api.deadLetters.replay({ flowId, ids: ["1; drop"] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await t.api.deadLetters.replay({ flowId, ids: [999_999] })).toEqual({ requested: 0 });
    await expect(t.api.deadLetters.list({ flowId, status: "done" as never })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
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
