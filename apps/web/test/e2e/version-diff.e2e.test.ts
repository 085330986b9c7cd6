// Issue #11, part B: version diff. Two versions saved by typing (code key by key in Monaco) and by
// a topology change (a log sink deleted with the Delete key, another dropped and wired by
// dragging), compared in the Versions tab: the changed lines in Monaco's diff editor, the added
// and removed nodes and edges; then the same comparison on the canvas (a word and a colour on each
// node and edge, a legend), left and reopened, and rolled back to from there. Then a version
// against the unsaved canvas, and a viewer, who sees the rollback disabled with the reason.
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { seriousViolations } from "./axe";
import { useBrowser } from "./browser";
import { byTestId, connect, createFlow, dropFromPalette, typeCode, typeInto } from "./editor-actions";
import { signedInState } from "./sign-in";

const b = useBrowser();

const V2 = ["export default async (r: WeirRecord, ctx: Ctx) => {", 'ctx.emit("out", r);', "};"].join("\n");
const V3 = [
  "export default async (r: WeirRecord, ctx: Ctx) => {",
  'ctx.emit("out", { value: r.value });',
  "};",
].join("\n");

/** A save (the server checks the function's code) may take seconds on a busy machine. */
const SAVED = { timeout: 20_000 };

/** Colours of the marks (editor.css: --ok, --bad, --warn) as the browser computes them. */
const GREEN = "rgb(22, 101, 52)";
const RED = "rgb(192, 38, 38)";
const AMBER = "rgb(180, 83, 9)";

/**
 * The lines Monaco's inline diff editor shows as removed (its deleted-lines zone) and as added
 * (modified lines under its `line-insert` decoration), spaces squeezed.
 */
async function diffEditorLines(diff: Locator): Promise<{ removed: string[]; added: string[] }> {
  return diff.locator(".monaco-diff-editor").evaluate((root) => {
    const text = (el: Element): string =>
      (el as HTMLElement).innerText.replaceAll("\u00a0", " ").replace(/\s+/g, " ").trim();
    const removed = [...root.querySelectorAll(".view-lines.line-delete .view-line")].map(text);
    const modified = root.querySelector(".editor.modified");
    if (!modified) return { removed, added: [] };
    const insertedTops = new Set(
      [...modified.querySelectorAll(".view-overlays .line-insert")].map(
        (d) => (d.parentElement as HTMLElement).style.top,
      ),
    );
    const added = [...modified.querySelectorAll(".view-lines:not(.line-delete) > .view-line")]
      .filter((line) => insertedTops.has((line as HTMLElement).style.top))
      .map(text);
    return { removed, added };
  });
}

/** The computed border of the node's box on the comparison canvas. */
const borderOf = (page: Page, nodeId: string) =>
  byTestId(page, `compare-node-${nodeId}`)
    .locator(".wnode")
    .evaluate((el) => {
      const s = getComputedStyle(el);
      return { color: s.borderTopColor, style: s.borderTopStyle };
    });

/** The computed stroke of each marked edge on the comparison canvas, by mark. */
const edgeStrokes = (page: Page) =>
  byTestId(page, "comparison-canvas").evaluate((root) =>
    [...root.querySelectorAll<SVGPathElement>("path.cmp-edge")].map((p) => {
      const s = getComputedStyle(p);
      const mark = /cmp-edge-(\w+)/.exec(p.getAttribute("class") ?? "")?.[1] ?? "";
      return { mark, stroke: s.stroke, dashed: s.strokeDasharray !== "none" };
    }),
  );

/** The editing canvas's pan and zoom: the comparison lies over it and leaves it as it was. */
const editingView = (page: Page) =>
  byTestId(page, "canvas")
    .locator(".react-flow__viewport")
    .evaluate((el) => (el as HTMLElement).style.transform);

/** Whether the editing canvas is inert (out of reach of the keyboard and screen readers). */
const editingInert = (page: Page) =>
  byTestId(page, "canvas").evaluate((el) => el.closest("[inert]") !== null);

/** The comparison canvas's nodes that are not wholly inside it (the view fits them all). */
const nodesOutside = (page: Page) =>
  byTestId(page, "comparison-canvas").evaluate((root) => {
    const box = root.getBoundingClientRect();
    return [...root.querySelectorAll<HTMLElement>("[data-testid^='compare-node-'][data-mark]")]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.left < box.left || r.right > box.right || r.top < box.top || r.bottom > box.bottom;
      })
      .map((el) => el.dataset.testid);
  });

describe("version diff", () => {
  it("compares a code and a topology change in Monaco and on the canvas, and rolls back from it", async () => {
    const page = b.page;
    await createFlow(page, b.url, "e2e version diff");
    const gen = await dropFromPalette(page, "generator", 100, 170);
    const fn = await dropFromPalette(page, "function", 330, 170);
    const old = await dropFromPalette(page, "log", 580, 90);
    await connect(page, gen, "out", fn);
    await connect(page, fn, "out", old);
    await byTestId(page, `node-${fn}`).click();
    await typeCode(page, V2);
    await typeInto(page, "save-message", "first code");
    await byTestId(page, "save-button").click();
    await expect.poll(() => byTestId(page, "editor-version").textContent(), SAVED).toBe("v2");
    await byTestId(page, "editor-dirty").waitFor({ state: "detached" });

    // v3: new code typed, a new sink dropped and wired, the old one deleted with the keyboard.
    await byTestId(page, `node-${fn}`).click();
    await typeCode(page, V3);
    // Dropped before the old one goes, so it gets an id of its own (ids are made from the type).
    const added = await dropFromPalette(page, "log", 580, 290);
    await connect(page, fn, "out", added);
    await byTestId(page, `node-${old}`).click();
    await page.keyboard.press("Delete");
    await byTestId(page, `node-${old}`).waitFor({ state: "detached" });
    await typeInto(page, "save-message", "emit the value, to a new sink");
    await byTestId(page, "save-button").click();
    await expect.poll(() => byTestId(page, "editor-version").textContent(), SAVED).toBe("v3");
    await byTestId(page, "editor-dirty").waitFor({ state: "detached" });

    // The list and Monaco's diff editor in the Versions tab.
    await byTestId(page, "tab-versions").click();
    await byTestId(page, "version-3").waitFor();
    await byTestId(page, "diff-from").selectOption("2");
    await byTestId(page, "diff-to").selectOption("3");
    const code = byTestId(page, `diff-code-${fn}`);
    await code.locator(".monaco-diff-editor").waitFor();
    await expect
      .poll(() => diffEditorLines(code))
      .toEqual({ removed: ['ctx.emit("out", r);'], added: ['ctx.emit("out", { value: r.value });'] });
    expect(await byTestId(page, `diff-code-summary-${fn}`).textContent()).toBe(
      "code: 1 line removed, 1 added",
    );
    expect(await byTestId(page, `diff-node-added-${added}`).textContent()).toContain("log");
    expect(await byTestId(page, `diff-node-removed-${old}`).textContent()).toContain("log");
    expect(await page.locator('[data-testid^="diff-edge-added-"]').count()).toBe(1);
    expect(await page.locator('[data-testid^="diff-edge-removed-"]').count()).toBe(1);
    await byTestId(page, "version-diff").scrollIntoViewIfNeeded();
    await b.shot("version diff v2 to v3 in Monaco");

    // The same comparison on the canvas: a word and a colour on every marked node and edge.
    const view = await editingView(page);
    await byTestId(page, "diff-show-canvas").click();
    await byTestId(page, "comparison-canvas").waitFor();
    expect(await editingInert(page)).toBe(true);
    const mark = (id: string) => byTestId(page, `compare-node-${id}`).getAttribute("data-mark");
    await expect.poll(() => mark(added)).toBe("added");
    expect(await mark(old)).toBe("removed");
    expect(await mark(fn)).toBe("changed");
    expect(await mark(gen)).toBe("same");
    expect(await byTestId(page, `compare-node-${added}-badge`).textContent()).toBe("+ added");
    expect(await byTestId(page, `compare-node-${old}-badge`).textContent()).toBe("− removed");
    expect(await byTestId(page, `compare-node-${fn}-badge`).textContent()).toBe("~ changed");
    expect(await byTestId(page, `compare-node-${gen}-badge`).count()).toBe(0);
    expect(await byTestId(page, `compare-node-${fn}`).getAttribute("title")).toMatch(/: changed \(code\)$/);
    expect(await borderOf(page, added)).toEqual({ color: GREEN, style: "solid" });
    expect(await borderOf(page, old)).toEqual({ color: RED, style: "dashed" });
    expect(await borderOf(page, fn)).toEqual({ color: AMBER, style: "solid" });
    const strokes = await edgeStrokes(page);
    expect(strokes.filter((s) => s.mark === "added")).toEqual([
      { mark: "added", stroke: GREEN, dashed: false },
    ]);
    expect(strokes.filter((s) => s.mark === "removed")).toEqual([
      { mark: "removed", stroke: RED, dashed: true },
    ]);
    expect(strokes.filter((s) => s.mark === "same")).toHaveLength(1);
    const edgeMarks = await page
      .locator('[data-testid^="compare-edge-"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-mark")).sort());
    expect(edgeMarks).toEqual(["added", "removed"]);
    expect(await byTestId(page, "comparison-summary").textContent()).toBe(
      "1 node added, 1 removed, 1 changed; 1 edge added, 1 removed",
    );
    // The view is fitted to every node, the removed one included.
    await expect.poll(() => nodesOutside(page)).toEqual([]);
    await b.shot("version diff on the canvas");
    expect(await seriousViolations(page), "the comparison canvas and Monaco's diff editor").toEqual([]);

    // Leaving gives the editing canvas back as it was; Escape leaves too.
    await byTestId(page, "comparison-leave").click();
    await byTestId(page, "comparison-canvas").waitFor({ state: "detached" });
    expect(await editingInert(page)).toBe(false);
    expect(await editingView(page)).toBe(view);
    await byTestId(page, `node-${added}`).waitFor();
    await byTestId(page, "diff-show-canvas").click();
    await byTestId(page, "comparison-canvas").waitFor();
    await page.keyboard.press("Escape");
    await byTestId(page, "comparison-canvas").waitFor({ state: "detached" });

    // Roll back from the comparison: v2 saved again as v4, the canvas back to editing v4.
    await byTestId(page, "diff-show-canvas").click();
    const rollback = byTestId(page, "comparison-rollback");
    expect(await rollback.textContent()).toBe("Roll back to v2");
    await rollback.click();
    await byTestId(page, "confirm-ok").click();
    await expect.poll(() => byTestId(page, "editor-version").textContent(), SAVED).toBe("v4");
    await byTestId(page, "comparison-canvas").waitFor({ state: "detached" });
    await byTestId(page, `node-${old}`).waitFor();
    expect(await byTestId(page, `node-${added}`).count()).toBe(0);
    await byTestId(page, "version-4").waitFor();
    await expect.poll(() => byTestId(page, "version-message-4").textContent()).toBe("rollback to v2");
    await byTestId(page, `node-${fn}`).click();
    await byTestId(page, "code-editor").locator(".monaco-editor").waitFor();
    await expect
      .poll(async () =>
        (await byTestId(page, "code-editor").locator(".view-lines").innerText()).replaceAll("\u00a0", " "),
      )
      .toMatch(/ctx\.emit\("out", r\);/);
    await b.shot("rolled back to v2 from the diff");

    // The unsaved canvas against v4: a renamed node, no code.
    await byTestId(page, `node-${old}`).click();
    await typeInto(page, "inspector-node-name", "audit sink");
    await byTestId(page, "tab-versions").click();
    await byTestId(page, "diff-from").selectOption("4");
    await byTestId(page, "diff-to").selectOption("canvas");
    await expect
      .poll(() => byTestId(page, `diff-node-changed-${old}`).textContent())
      .toMatch(/~ node audit sink \(renamed from/);
    expect(await page.locator('[data-testid^="diff-code-"]').count()).toBe(0);
    await byTestId(page, "diff-show-canvas").click();
    expect(await byTestId(page, `compare-node-${old}`).getAttribute("title")).toBe(
      "audit sink: changed (name)",
    );
    await byTestId(page, "comparison-leave").click();
    await byTestId(page, "version-diff").scrollIntoViewIfNeeded();
    await b.shot("version diff v4 to canvas");
  });

  it("shows a viewer the rollback in a comparison disabled, with the reason", async () => {
    const flow = await b.api<{ id: string }>(
      "flow.create",
      { name: "e2e version diff viewer", nodes: [], edges: [] },
      "POST",
    );
    await b.api(
      "flow.update",
      { id: flow.id, spec: { name: "renamed", description: "", nodes: [], edges: [] } },
      "POST",
    );
    const viewer = { email: "diff-viewer@e2e.test", password: "diff viewer password" };
    await b.api("users.create", { ...viewer, role: "viewer" }, "POST");
    const context = await b.page
      .context()
      .browser()
      ?.newContext({
        viewport: { width: 1280, height: 800 },
        storageState: await signedInState(b.url, viewer),
      });
    if (!context) throw new Error("no browser");
    try {
      const page = await context.newPage();
      await page.goto(new URL(`/flows/${flow.id}`, b.url).toString());
      await byTestId(page, "tab-versions").click();
      await byTestId(page, "diff-from").selectOption("1");
      await byTestId(page, "diff-to").selectOption("2");
      await byTestId(page, "diff-renamed").waitFor();
      await byTestId(page, "diff-show-canvas").click();
      const rollback = byTestId(page, "comparison-rollback");
      expect(await rollback.textContent()).toBe("Roll back to v1");
      expect(await rollback.isDisabled()).toBe(true);
      expect(await rollback.getAttribute("title")).toMatch(
        /Rolling back needs the editor role; you are a viewer/,
      );
      expect(await byTestId(page, "diff-rollback").isDisabled()).toBe(true);
      expect(await byTestId(page, "version-rollback-1").getAttribute("title")).toMatch(
        /needs the editor role/,
      );
    } finally {
      await context.close();
    }
  });
});
