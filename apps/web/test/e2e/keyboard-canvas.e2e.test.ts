// Issue #11, part C: every canvas action by keyboard alone (no mouse after the page opened).
// Add nodes from the palette (Tab, Enter), select a node (Tab to it, Enter), connect an output
// port to a node (the inspector's Connect an output: Tab, arrow keys, Enter), have a refused
// connection say why, move a node (arrow keys), select an edge and delete it (Enter, Delete),
// undo (Ctrl+Z), save (Ctrl+S).
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { byTestId, nodeIds, tabTo } from "./editor-actions";

const b = useBrowser();

const edgeCount = (page: Page): Promise<number> => page.locator('[data-testid^="rf__edge-"]').count();
const selectedNode = (page: Page): Promise<string> =>
  byTestId(page, "inspector-node-id")
    .textContent()
    .then((text) => text ?? "");
const nodeX = (page: Page, id: string): Promise<number> =>
  byTestId(page, `rf__node-${id}`).evaluate((el) => new DOMMatrix(getComputedStyle(el).transform).m41);

describe("the canvas by keyboard", () => {
  it("adds, selects, connects, moves, deletes, undoes and saves without a mouse", async () => {
    const { id: flowId } = await b.api<{ id: string }>(
      "flow.create",
      { name: "e2e keyboard", nodes: [], edges: [] },
      "POST",
    );
    const page = b.page;
    await page.goto(`${b.url}/flows/${flowId}`);
    await byTestId(page, "canvas").waitFor();

    // Add three nodes from the palette.
    for (const type of ["generator", "function", "log"]) {
      await tabTo(page, `palette-item-${type}`);
      await page.keyboard.press("Enter");
    }
    await expect.poll(() => nodeIds(page)).toHaveLength(3);
    const [gen, fn, out] = (await nodeIds(page)) as [string, string, string];

    // Select the generator (Tab to it, Enter) and connect its output to the function.
    await tabTo(page, `rf__node-${gen}`, { back: true });
    await page.keyboard.press("Enter");
    await expect.poll(() => selectedNode(page)).toContain(gen);
    await tabTo(page, "connect-target");
    expect(await byTestId(page, "connect-target").inputValue()).toBe(fn);
    await tabTo(page, "connect-button");
    await page.keyboard.press("Enter");
    await expect.poll(() => edgeCount(page)).toBe(1);

    // The function's output to the sink (its Settings tab, then the log node, chosen by arrow key).
    await tabTo(page, `rf__node-${fn}`, { back: true });
    await page.keyboard.press("Enter");
    await expect.poll(() => selectedNode(page)).toContain(fn);
    await tabTo(page, "inspector-tab-settings");
    await page.keyboard.press("Enter");
    await tabTo(page, "connect-target");
    expect(await byTestId(page, "connect-target").inputValue()).toBe(out);
    await tabTo(page, "connect-button");
    await page.keyboard.press("Enter");
    await expect.poll(() => edgeCount(page)).toBe(2);
    // The same connection again is refused, with the reason.
    await page.keyboard.press("Enter");
    expect(await byTestId(page, "connect-refused").textContent()).toMatch(/refused/i);
    expect(await edgeCount(page)).toBe(2);
    await b.shot("connected by keyboard");

    // Move the function with the arrow keys.
    await tabTo(page, `rf__node-${fn}`, { back: true });
    const before = await nodeX(page, fn);
    for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowRight");
    await expect.poll(() => nodeX(page, fn)).toBeGreaterThan(before);

    // Select an edge, delete it, undo.
    const [firstEdge] = await page
      .locator('[data-testid^="rf__edge-"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-testid") ?? ""));
    await tabTo(page, firstEdge ?? "");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Delete");
    await expect.poll(() => edgeCount(page)).toBe(1);
    await page.keyboard.press("Control+z");
    await expect.poll(() => edgeCount(page)).toBe(2);

    // Save.
    await page.keyboard.press("Control+s");
    await byTestId(page, "editor-dirty").waitFor({ state: "detached" });
    const saved = await b.api<{ version: number; spec: { nodes: unknown[]; edges: unknown[] } }>("flow.get", {
      id: flowId,
    });
    expect(saved.version).toBe(2);
    expect(saved.spec.nodes).toHaveLength(3);
    expect(saved.spec.edges).toHaveLength(2);
    await b.shot("saved by keyboard");
  });
});
