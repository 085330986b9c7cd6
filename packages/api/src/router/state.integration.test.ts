// The state browser's API (issue #11): list and search a function node's ctx.state, set and
// delete keys — refused while the flow runs, since a running engine keeps state cached.
import { describe, expect, it } from "vitest";
import { demoFlow, useTestApi } from "../../test/db";

const t = useTestApi();

describe("state of a function node", () => {
  it("lists and searches keys with their values and last write, sets and deletes them while stopped", async () => {
    const { id: flowId } = await t.api.flow.create(demoFlow("state-browse"));
    for (const [key, value] of [
      ["user:1", { visits: 3 }],
      ["user:2", { visits: 1 }],
      ["total", 4],
    ] as const)
      await t.db.functionState.create({ data: { flowId, nodeId: "double", key, value } });

    const all = await t.api.state.list({ flowId, nodeId: "double" });
    expect(all.total).toBe(3);
    expect(all.entries.map((e) => e.key)).toEqual(["total", "user:1", "user:2"]);
    expect(all.entries[1]?.value).toEqual({ visits: 3 });
    expect(Date.parse(all.entries[1]?.updatedAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
    const found = await t.api.state.list({ flowId, nodeId: "double", search: "USER" });
    expect(found.entries.map((e) => e.key)).toEqual(["user:1", "user:2"]);

    await t.api.state.set({ flowId, nodeId: "double", key: "user:1", value: { visits: 10 } });
    await t.api.state.set({ flowId, nodeId: "double", key: "new", value: [1, "two"] });
    await t.api.state.delete({ flowId, nodeId: "double", key: "total" });
    const after = await t.api.state.list({ flowId, nodeId: "double" });
    expect(after.entries.map((e) => [e.key, e.value])).toEqual([
      ["new", [1, "two"]],
      ["user:1", { visits: 10 }],
      ["user:2", { visits: 1 }],
    ]);
    await expect(t.api.state.delete({ flowId, nodeId: "double", key: "total" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("refuses edits while the flow runs and a node that is not a function", async () => {
    const { id: flowId } = await t.api.flow.create(demoFlow("state-running"));
    await t.api.deployment.deploy({ flowId });
    await expect(t.api.state.set({ flowId, nodeId: "double", key: "k", value: 1 })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("stop the flow first") as string,
    });
    await expect(t.api.state.delete({ flowId, nodeId: "double", key: "k" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect((await t.api.state.list({ flowId, nodeId: "double" })).entries).toEqual([]);
    await expect(t.api.state.list({ flowId, nodeId: "out" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("only function nodes keep state") as string,
    });
  });

  it("refuses edits of an exactly-once flow's state: the rows are a view of its Kafka changelog", async () => {
    const { id: flowId } = await t.api.flow.create({ ...demoFlow("state-eos"), delivery: "exactly-once" });
    await t.db.functionState.create({ data: { flowId, nodeId: "double", key: "p0/count", value: 3 } });
    expect((await t.api.state.list({ flowId, nodeId: "double" })).entries.map((e) => e.key)).toEqual([
      "p0/count",
    ]);
    await expect(
      t.api.state.set({ flowId, nodeId: "double", key: "p0/count", value: 1 }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("read-only view") as string,
    });
    await expect(t.api.state.delete({ flowId, nodeId: "double", key: "p0/count" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});
