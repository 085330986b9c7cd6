import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { BROKEN_CODE, caught, demoFlow, demoFlowWithCode, useTestApi } from "../../test/db";
import { FlowValidationError } from "../errors";
import { anyString, arrayContaining, containing, matching } from "../../test/match";

const t = useTestApi();

const counts = async (): Promise<[number, number]> => [
  await t.db.flow.count(),
  await t.db.flowVersion.count(),
];

describe("flow", () => {
  it("creates a flow with version 1 holding the validated spec (defaults filled in)", async () => {
    const created = await t.api.flow.create(demoFlow("create"));
    expect(created).toEqual({ id: anyString(), name: "create", version: 1 });

    const flow = await t.api.flow.get({ id: created.id });
    expect(flow).toMatchObject({
      id: created.id,
      name: "create",
      description: "doubles a counter",
      version: 1,
    });
    expect(flow.latestVersion).toBe(1);
    expect(flow.spec.nodes.map((n) => n.id)).toEqual(["gen", "double", "out"]);
    expect(flow.spec.nodes[0]?.config).toMatchObject({ intervalMs: 100, count: 10, key: null });
    expect(flow.spec.nodes[2]?.config).toEqual({ keep: 100 });
    expect(flow.spec.nodes[1]?.config).toMatchObject({ runtime: "js", timeoutMs: 1000 });
    expect(new Date(flow.createdAt).toISOString()).toBe(flow.createdAt);
  });

  it("lists flows with their latest version and deployment state", async () => {
    const a = await t.api.flow.create(demoFlow("list-a"));
    const b = await t.api.flow.create(demoFlow("list-b"));
    await t.api.deployment.deploy({ flowId: b.id });

    const list = await t.api.flow.list();
    const byId = new Map(list.map((f) => [f.id, f]));
    expect(byId.get(a.id)).toMatchObject({ name: "list-a", latestVersion: 1, deployment: null });
    expect(byId.get(b.id)).toMatchObject({
      name: "list-b",
      latestVersion: 1,
      deployment: { desiredState: "running", actualState: "pending" },
    });
    expect(typeof byId.get(a.id)?.updatedAt).toBe("string");
  });

  it("rejects an invalid flow with every problem's path and saves nothing", async () => {
    const spec = demoFlow("invalid");
    const before = await counts();
    const error = await caught(() =>
      t.api.flow.create({
        ...spec,
        nodes: [
          { id: "gen", kind: "source", type: "generator", config: { intervalMs: -1 } },
          { id: "double", kind: "function", type: "function", config: { code: "  " } },
          { id: "out", kind: "sink", type: "log" },
        ],
      }),
    );
    expect(error).toBeInstanceOf(TRPCError);
    const trpcError = error as TRPCError;
    expect(trpcError.code).toBe("BAD_REQUEST");
    expect(trpcError.message).toMatch(/^invalid flow: /);
    expect(trpcError.message).toContain("nodes[1].config.code: function node has no code");
    expect(trpcError.cause).toBeInstanceOf(FlowValidationError);
    const problems = (trpcError.cause as FlowValidationError).problems;
    expect(problems.map((p) => p.path)).toEqual([
      ["nodes", 0, "config", "intervalMs"],
      ["nodes", 1, "config", "code"],
    ]);
    expect(await counts()).toEqual(before);
  });

  it("reports a malformed spec the same way, through validateFlow", async () => {
    const before = await counts();
    const error = await caught(() => t.api.flow.create({ name: "", nodes: [{ id: "a b" }] } as never));
    expect(error).toMatchObject({ code: "BAD_REQUEST" });
    const problems = ((error as TRPCError).cause as FlowValidationError).problems;
    expect(problems.map((p) => p.code)).toEqual(arrayContaining(["invalid_shape"]));
    expect(problems.map((p) => p.path)).toEqual(arrayContaining([["name"], ["nodes", 0, "id"]]));
    expect(await counts()).toEqual(before);
  });

  it("compiles function code on save and refuses code that does not compile", async () => {
    const before = await counts();
    const error = await caught(() => t.api.flow.create(demoFlowWithCode(BROKEN_CODE, "broken")));
    expect(error).toMatchObject({
      code: "BAD_REQUEST",
      message: "invalid flow: nodes[1].config.code: line 2, column 13: Expression expected.",
    });
    expect(((error as TRPCError).cause as FlowValidationError).problems).toEqual([
      {
        path: ["nodes", 1, "config", "code"],
        message: "line 2, column 13: Expression expected.",
        code: "code_error",
        line: 2,
        column: 13,
      },
    ]);
    expect(await counts()).toEqual(before);

    // TypeScript by default; type annotations are a syntax error in a javascript function.
    const typed = "export default (r: { value: number }) => r";
    expect((await t.api.flow.create(demoFlowWithCode(typed, "typed"))).version).toBe(1);
    const asJs = demoFlowWithCode(typed, "typed-js");
    const jsNodes = asJs.nodes?.map((n) =>
      n.id === "double" ? { ...n, config: { ...n.config, language: "javascript" } } : n,
    );
    await expect(t.api.flow.create({ ...asJs, nodes: jsNodes })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: containing("nodes[1].config.code: line 1, column 20: Type annotations"),
    });
  });

  it("refuses an update whose code does not compile and keeps the last good version", async () => {
    const { id } = await t.api.flow.create(demoFlow("edit-code"));
    await expect(
      t.api.flow.update({ id, spec: demoFlowWithCode(BROKEN_CODE, "edit-code") }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: containing("line 2, column 13"),
    });
    expect(await t.api.flow.get({ id })).toMatchObject({ version: 1, latestVersion: 1 });
  });

  it("saves each update as the next version and keeps the old ones readable", async () => {
    const { id } = await t.api.flow.create(demoFlow("v1"));
    const spec = demoFlow("v2");
    const updated = await t.api.flow.update({
      id,
      spec: {
        ...spec,
        description: "second",
        nodes: spec.nodes?.map((n) => (n.id === "gen" ? { ...n, config: { intervalMs: 5 } } : n)),
      },
    });
    expect(updated).toEqual({ id, name: "v2", version: 2 });

    const latest = await t.api.flow.get({ id });
    expect(latest).toMatchObject({ name: "v2", description: "second", version: 2, latestVersion: 2 });
    expect(latest.spec.nodes[0]?.config).toMatchObject({ intervalMs: 5 });

    const first = await t.api.flow.get({ id, version: 1 });
    expect(first).toMatchObject({ version: 1, latestVersion: 2 });
    expect(first.spec.name).toBe("v1");
    expect(first.spec.nodes[0]?.config).toMatchObject({ intervalMs: 100 });

    const versions = await t.api.flow.versions({ id });
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
  });

  it("numbers concurrent updates without gaps or collisions", async () => {
    const { id } = await t.api.flow.create(demoFlow("race"));
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => t.api.flow.update({ id, spec: demoFlow(`race-${i}`) })),
    );
    expect(results.map((r) => r.version).sort()).toEqual([2, 3, 4, 5, 6]);
    expect((await t.api.flow.get({ id })).latestVersion).toBe(6);
  });

  it("leaves the flow untouched when an update is invalid", async () => {
    const { id } = await t.api.flow.create(demoFlow("keep"));
    const before = await counts();
    await expect(
      t.api.flow.update({
        id,
        spec: {
          ...demoFlow("renamed"),
          edges: [{ id: "e", from: { node: "nope", port: "out" }, to: { node: "out" } }],
        },
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: containing("edges[0].from.node") });
    expect(await counts()).toEqual(before);
    expect(await t.api.flow.get({ id })).toMatchObject({ name: "keep", version: 1, latestVersion: 1 });
  });

  it("validates without saving", async () => {
    const before = await counts();
    expect(await t.api.flow.validate(demoFlow())).toEqual({ ok: true, problems: [] });
    const bad = await t.api.flow.validate({
      ...demoFlow(),
      nodes: [{ id: "x", kind: "sink", type: "kafka-nope" }],
    });
    expect(bad.ok).toBe(false);
    expect(bad.problems[0]).toMatchObject({
      path: ["nodes", 0, "type"],
      pathString: "nodes[0].type",
      code: "unknown_node_type",
    });
    const broken = await t.api.flow.validate(demoFlowWithCode(BROKEN_CODE));
    expect(broken).toEqual({
      ok: false,
      problems: [
        {
          path: ["nodes", 1, "config", "code"],
          pathString: "nodes[1].config.code",
          message: "line 2, column 13: Expression expected.",
          code: "code_error",
          line: 2,
          column: 13,
        },
      ],
    });
    expect(await counts()).toEqual(before);
  });

  it("deletes a flow with its versions, deployments and everything engines wrote for it", async () => {
    const { id } = await t.api.flow.create(demoFlow("gone"));
    const deployment = await t.api.deployment.deploy({ flowId: id });
    await t.db.nodeStats.create({
      data: { deploymentId: deployment.id, nodeId: "gen", engineId: "e1", recordsOut: 3n },
    });
    await t.db.sinkLogEntry.create({
      data: { flowId: id, deploymentId: deployment.id, nodeId: "out", record: { v: 1 } },
    });
    await t.db.functionState.create({ data: { flowId: id, nodeId: "double", key: "k", value: 1 } });
    await t.db.functionLogEntry.create({
      data: {
        flowId: id,
        deploymentId: deployment.id,
        nodeId: "double",
        instance: "e1/double#0",
        level: "info",
        message: "hi",
      },
    });

    expect(await t.api.flow.delete({ id })).toEqual({ id });
    expect(await t.db.flowVersion.count({ where: { flowId: id } })).toBe(0);
    expect(await t.db.deployment.count({ where: { flowId: id } })).toBe(0);
    expect(await t.db.nodeStats.count({ where: { deploymentId: deployment.id } })).toBe(0);
    expect(await t.db.sinkLogEntry.count({ where: { flowId: id } })).toBe(0);
    expect(await t.db.functionState.count({ where: { flowId: id } })).toBe(0);
    expect(await t.db.functionLogEntry.count({ where: { flowId: id } })).toBe(0);
    await expect(t.api.flow.get({ id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("answers NOT_FOUND with a message naming what is missing", async () => {
    const missing = randomUUID();
    await expect(t.api.flow.get({ id: missing })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: `flow ${missing} not found`,
    });
    await expect(t.api.flow.update({ id: missing, spec: demoFlow() })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(t.api.flow.versions({ id: missing })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(t.api.flow.delete({ id: missing })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const { id } = await t.api.flow.create(demoFlow("one-version"));
    await expect(t.api.flow.get({ id, version: 7 })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: `flow ${id} has no version 7 (latest is 1)`,
    });
  });

  it("rejects a malformed id as bad input with a readable message", async () => {
    await expect(t.api.flow.get({ id: "not-a-uuid" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: matching(/^invalid input: id: /),
    });
  });
});
