import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { TRPCError } from "@trpc/server";
import type { Prisma } from "@weir/db";
import { BROKEN_CODE, caught, demoFlow, demoFlowWithCode, useTestApi } from "../../test/db";
import type { FlowValidationError } from "../errors";

const t = useTestApi();

describe("deployment", () => {
  it("has no status before the first deploy", async () => {
    const { id } = await t.api.flow.create(demoFlow("never"));
    expect(await t.api.deployment.status({ flowId: id })).toBeNull();
    expect(await t.api.deployment.list({ flowId: id })).toEqual([]);
  });

  it("deploys the latest version as pending and stops the one that was running", async () => {
    const { id } = await t.api.flow.create(demoFlow("redeploy"));
    const first = await t.api.deployment.deploy({ flowId: id });
    expect(first).toMatchObject({
      flowId: id,
      version: 1,
      desiredState: "running",
      actualState: "pending",
      error: null,
      engineId: null,
      startedAt: null,
      stoppedAt: null,
    });
    // An engine picked it up.
    await t.db.deployment.update({
      where: { id: first.id },
      data: { actualState: "running", engineId: "engine-a" },
    });

    await t.api.flow.update({ id, spec: demoFlow("redeploy-2") });
    const second = await t.api.deployment.deploy({ flowId: id });
    expect(second).toMatchObject({ version: 2, desiredState: "running", actualState: "pending" });

    const all = await t.api.deployment.list({ flowId: id });
    expect(all.map((d) => [d.id, d.version, d.desiredState, d.actualState])).toEqual([
      [second.id, 2, "running", "pending"],
      [first.id, 1, "stopped", "running"],
    ]);
    expect(await t.api.deployment.status({ flowId: id })).toEqual(second);
  });

  it("rolls back by deploying an older version", async () => {
    const { id } = await t.api.flow.create(demoFlow("rollback"));
    await t.api.flow.update({ id, spec: demoFlow("rollback-2") });
    await t.api.deployment.deploy({ flowId: id });
    const rolledBack = await t.api.deployment.deploy({ flowId: id, version: 1 });
    expect(rolledBack).toMatchObject({ version: 1, desiredState: "running", actualState: "pending" });
    const running = (await t.api.deployment.list({ flowId: id })).filter((d) => d.desiredState === "running");
    expect(running.map((d) => d.id)).toEqual([rolledBack.id]);
  });

  it("keeps a single desired-running deployment under concurrent deploys", async () => {
    const { id } = await t.api.flow.create(demoFlow("stampede"));
    await Promise.all(Array.from({ length: 5 }, () => t.api.deployment.deploy({ flowId: id })));
    const all = await t.api.deployment.list({ flowId: id });
    expect(all).toHaveLength(5);
    expect(all.filter((d) => d.desiredState === "running")).toHaveLength(1);
  });

  it("stops the running deployment and reports it", async () => {
    const { id } = await t.api.flow.create(demoFlow("stop"));
    const deployed = await t.api.deployment.deploy({ flowId: id });
    const stopped = await t.api.deployment.stop({ flowId: id });
    expect(stopped).toMatchObject({ id: deployed.id, desiredState: "stopped", actualState: "pending" });
    expect(await t.api.deployment.status({ flowId: id })).toMatchObject({ desiredState: "stopped" });
    // Stopping again is harmless.
    expect(await t.api.deployment.stop({ flowId: id })).toMatchObject({
      id: deployed.id,
      desiredState: "stopped",
    });
  });

  it("answers NOT_FOUND for a missing flow or version", async () => {
    const missing = randomUUID();
    await expect(t.api.deployment.deploy({ flowId: missing })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: `flow ${missing} not found`,
    });
    await expect(t.api.deployment.stop({ flowId: missing })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(t.api.deployment.status({ flowId: missing })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const { id } = await t.api.flow.create(demoFlow("no-v3"));
    await expect(t.api.deployment.deploy({ flowId: id, version: 3 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: `invalid input: version: flow ${id} has no version 3 (latest is 1)`,
    });
    expect(await t.db.deployment.count({ where: { flowId: id } })).toBe(0);
  });

  it("refuses to deploy a stored version whose code no longer compiles", async () => {
    const { id } = await t.api.flow.create(demoFlow("rotten"));
    // Saved before code was checked (the API would refuse it now), so written directly.
    await t.db.flowVersion.create({
      data: {
        flowId: id,
        version: 2,
        spec: demoFlowWithCode(BROKEN_CODE, "rotten") as Prisma.InputJsonObject,
      },
    });
    await t.db.flow.update({ where: { id }, data: { latestVersion: 2 } });

    const error = await caught(() => t.api.deployment.deploy({ flowId: id }));
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
    expect(await t.db.deployment.count({ where: { flowId: id } })).toBe(0);
    // The version before it still deploys.
    expect(await t.api.deployment.deploy({ flowId: id, version: 1 })).toMatchObject({ version: 1 });
  });

  it("refuses to deploy a flow whose functions name secrets nobody set, then deploys once they are set", async () => {
    const spec = demoFlow("needs secrets");
    const withSecrets = {
      ...spec,
      nodes: spec.nodes?.map((n) =>
        n.id === "double" ? { ...n, config: { ...n.config, secrets: ["DB_URL", "TOKEN"] } } : n,
      ),
    };
    const { id } = await t.api.flow.create(withSecrets);
    await t.api.secrets.set({ name: "DB_URL", value: "postgres://x" });
    const error = (await caught(() => t.api.deployment.deploy({ flowId: id }))) as TRPCError & {
      cause: FlowValidationError;
    };
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.cause.problems).toEqual([
      {
        path: ["nodes", 1, "config", "secrets", 1],
        message: "secret 'TOKEN' is not set (set it with secrets.set)",
        code: "missing_secret",
      },
    ]);
    expect(await t.api.deployment.list({ flowId: id })).toEqual([]);
    await t.api.secrets.set({ name: "TOKEN", value: "t" });
    await expect(t.api.deployment.deploy({ flowId: id })).resolves.toMatchObject({ desiredState: "running" });
  });
});
