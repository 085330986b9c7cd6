// Issue #11, part B: the state browser. A function counts the records it saw in ctx.state; once
// the flow is stopped, its State tab lists the keys with their values and last write, a search
// narrows them, a value is edited as JSON (typed key by key) and a key deleted after confirming.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { byTestId, typeInto } from "./editor-actions";

const b = useBrowser();

const COUNTER = `export default async (r, ctx) => {
  const seen = (await ctx.state.get("seen")) ?? 0;
  ctx.state.put("seen", seen + 1);
  ctx.state.put("last", r.value);
  return r;
};`;

interface StateList {
  entries: { key: string; value: unknown }[];
}

const shownKeys = (page: Page): Promise<string[]> =>
  page
    .locator('[data-testid^="state-row-"]')
    .evaluateAll((rows) =>
      rows.map((row) => (row.getAttribute("data-testid") ?? "").slice("state-row-".length)),
    );

describe("state browser", () => {
  it("lists a function's state, searches it, edits a value and deletes a key after confirming", async () => {
    const { id: flowId } = await b.api<{ id: string }>(
      "flow.create",
      {
        name: "e2e state browser",
        nodes: [
          {
            id: "gen",
            kind: "source",
            type: "generator",
            position: { x: 0, y: 60 },
            config: { intervalMs: 50, count: 3 },
          },
          {
            id: "counter",
            kind: "function",
            type: "function",
            position: { x: 280, y: 60 },
            config: { language: "javascript", code: COUNTER },
          },
          { id: "out", kind: "sink", type: "log", position: { x: 560, y: 60 } },
        ],
        edges: [
          { id: "e1", from: { node: "gen", port: "out" }, to: { node: "counter" } },
          { id: "e2", from: { node: "counter", port: "out" }, to: { node: "out" } },
        ],
      },
      "POST",
    );
    await b.api("deployment.deploy", { flowId }, "POST");
    const seen = async (): Promise<unknown> =>
      (await b.api<StateList>("state.list", { flowId, nodeId: "counter" })).entries.find(
        (e) => e.key === "seen",
      )?.value;
    await expect.poll(seen, { timeout: 20_000, message: "the function counted 3 records" }).toBe(3);
    await b.api("deployment.stop", { flowId }, "POST");
    await expect
      .poll(async () => (await b.api<{ actualState: string }>("deployment.status", { flowId })).actualState, {
        timeout: 20_000,
      })
      .toBe("stopped");

    const page = b.page;
    await page.goto(`${b.url}/flows/${flowId}`);
    await byTestId(page, "node-counter").click();
    await byTestId(page, "tab-state").click();
    await byTestId(page, "state-row-seen").waitFor();
    expect(await shownKeys(page)).toEqual(["last", "seen"]);
    expect(JSON.parse((await byTestId(page, "state-value-seen").textContent()) ?? "")).toBe(3);
    expect(JSON.parse((await byTestId(page, "state-value-last").textContent()) ?? "")).toHaveProperty("seq");
    await b.shot("state listed");

    await typeInto(page, "state-search", "se");
    await expect.poll(() => shownKeys(page)).toEqual(["seen"]);

    await byTestId(page, "state-edit-seen").click();
    await typeInto(page, "state-edit-input", "10");
    await byTestId(page, "state-save").click();
    await expect.poll(() => byTestId(page, "state-value-seen").textContent()).toBe("10");
    expect(await seen()).toBe(10);
    await b.shot("value edited");

    await typeInto(page, "state-search", "");
    await expect.poll(() => shownKeys(page)).toEqual(["last", "seen"]);
    await byTestId(page, "state-delete-last").click();
    await byTestId(page, "confirm-dialog").waitFor();
    await byTestId(page, "confirm-ok").click();
    await expect.poll(() => shownKeys(page)).toEqual(["seen"]);
    expect(
      (await b.api<StateList>("state.list", { flowId, nodeId: "counter" })).entries.map((e) => e.key),
    ).toEqual(["seen"]);
    await b.shot("key deleted");
  });
});
