// The editor's flow operations (issue #6): rename, duplicate, rollback, and the list's deployment column.
import { randomUUID } from "node:crypto";
import type { Prisma } from "@weir/db";
import { describe, expect, it } from "vitest";
import { BROKEN_CODE, demoFlow, demoFlowWithCode, useTestApi } from "../../test/db";
import { containing } from "../../test/match";

const t = useTestApi();

describe("flow.rename", () => {
  it("saves the latest spec under the new name as the next version", async () => {
    const { id } = await t.api.flow.create(demoFlowWithCode("export default (r) => r", "before"));
    expect(await t.api.flow.rename({ id, name: "  after  " })).toEqual({ id, name: "after", version: 2 });
    const latest = await t.api.flow.get({ id });
    expect(latest).toMatchObject({ name: "after", version: 2, spec: { name: "after" } });
    expect(latest.spec.nodes.find((n) => n.id === "double")?.config.code).toBe("export default (r) => r");
    expect((await t.api.flow.get({ id, version: 1 })).spec.name).toBe("before");
  });

  it("refuses an empty name and an unknown flow, saving nothing", async () => {
    const { id } = await t.api.flow.create(demoFlow("keep-name"));
    await expect(t.api.flow.rename({ id, name: "   " })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: containing("name"),
    });
    await expect(t.api.flow.rename({ id: randomUUID(), name: "x" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await t.api.flow.get({ id })).toMatchObject({ name: "keep-name", latestVersion: 1 });
  });
});

describe("flow.duplicate", () => {
  it("copies the latest (or a given) version into a new flow at version 1, without its deployments", async () => {
    const { id } = await t.api.flow.create(demoFlow("orig"));
    await t.api.flow.update({ id, spec: { ...demoFlow("orig"), description: "second" } });
    await t.api.deployment.deploy({ flowId: id });

    const copy = await t.api.flow.duplicate({ id });
    expect(copy).toMatchObject({ name: "orig (copy)", version: 1 });
    expect(copy.id).not.toBe(id);
    expect(await t.api.flow.get({ id: copy.id })).toMatchObject({
      latestVersion: 1,
      description: "second",
      spec: { name: "orig (copy)" },
    });
    expect(await t.api.deployment.status({ flowId: copy.id })).toBeNull();

    const first = await t.api.flow.duplicate({ id, version: 1, name: "from v1" });
    expect((await t.api.flow.get({ id: first.id })).description).toBe("doubles a counter");
    expect(await t.api.flow.get({ id })).toMatchObject({ name: "orig", latestVersion: 2 });
  });

  it("refuses a version that does not exist as a wrong field (400, path version)", async () => {
    const { id } = await t.api.flow.create(demoFlow("dup-missing"));
    await expect(t.api.flow.duplicate({ id, version: 9 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: `invalid input: version: flow ${id} has no version 9 (latest is 1)`,
    });
  });
});

describe("flow.rollback", () => {
  it("saves an earlier version's spec as the next version and keeps the history", async () => {
    const { id } = await t.api.flow.create(demoFlowWithCode("export default (r) => r", "rb"));
    await t.api.flow.update({
      id,
      spec: demoFlowWithCode("export default () => []", "rb"),
      message: "  drop everything ",
    });

    expect(await t.api.flow.rollback({ id, version: 1 })).toEqual({
      id,
      name: "rb",
      version: 3,
      rolledBackTo: 1,
    });
    const [v1, v3] = [await t.api.flow.get({ id, version: 1 }), await t.api.flow.get({ id })];
    expect(v3.version).toBe(3);
    expect(v3.spec).toEqual(v1.spec);
    const versions = await t.api.flow.versions({ id });
    expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
    // Each says why it was saved and what changed against the one before.
    expect(versions.map((v) => v.message)).toEqual(["rollback to v1", "drop everything", "created"]);
    const changedOne = {
      nodes: { added: 0, removed: 0, changed: 1 },
      edges: { added: 0, removed: 0, changed: 0 },
    };
    expect(versions[0]?.summary).toMatchObject(changedOne);
    expect(versions[1]?.summary).toMatchObject(changedOne);
    expect(versions[2]?.summary.nodes.removed).toBe(0);

    // Deploying the rolled-back version runs version 3.
    expect(await t.api.deployment.deploy({ flowId: id })).toMatchObject({ version: 3 });
  });

  it("refuses a version that no longer passes today's checks, and an unknown version", async () => {
    const { id } = await t.api.flow.create(demoFlow("rb-bad"));
    // A version stored under older rules: written directly, as a past release would have.
    await t.db.flowVersion.create({
      data: {
        flowId: id,
        version: 2,
        spec: demoFlowWithCode(BROKEN_CODE, "rb-bad") as Prisma.InputJsonValue,
      },
    });
    await t.db.flow.update({ where: { id }, data: { latestVersion: 2 } });
    await t.api.flow.update({ id, spec: demoFlow("rb-bad") });

    await expect(t.api.flow.rollback({ id, version: 2 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: containing("nodes[1].config.code: line 2, column 13"),
    });
    await expect(t.api.flow.rollback({ id, version: 8 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await t.api.flow.get({ id })).latestVersion).toBe(3);
  });
});

describe("flow.list", () => {
  it("gives each flow's newest deployment with the version it runs", async () => {
    const { id } = await t.api.flow.create(demoFlow("listed"));
    await t.api.flow.update({ id, spec: demoFlow("listed") });
    const deployment = await t.api.deployment.deploy({ flowId: id, version: 1 });
    const listed = (await t.api.flow.list()).find((f) => f.id === id);
    expect(listed).toMatchObject({
      latestVersion: 2,
      deployment: {
        id: deployment.id,
        version: 1,
        desiredState: "running",
        actualState: "pending",
        error: null,
        startedAt: null,
      },
    });
  });
});
