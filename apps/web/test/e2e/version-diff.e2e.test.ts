// Issue #11, part B: version diff. Two versions saved by typing (code key by key in Monaco, then
// a topology change: a log sink dropped and wired), compared in the Versions tab: the changed
// code line, the added node and edge; then a version against the unsaved canvas.
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { byTestId, connect, createFlow, dropFromPalette, typeCode, typeInto } from "./editor-actions";

const b = useBrowser();

const V2 = ["export default async (r: WeirRecord, ctx: Ctx) => {", 'ctx.emit("out", r);', "};"].join("\n");
const V3 = [
  "export default async (r: WeirRecord, ctx: Ctx) => {",
  'ctx.emit("out", { value: r.value });',
  "};",
].join("\n");

describe("version diff", () => {
  it("shows the changed code line, the added node and edge, and unsaved canvas changes", async () => {
    const page = b.page;
    await createFlow(page, b.url, "e2e version diff");
    const gen = await dropFromPalette(page, "generator", 100, 170);
    const fn = await dropFromPalette(page, "function", 330, 170);
    await connect(page, gen, "out", fn);
    await byTestId(page, `node-${fn}`).click();
    await typeCode(page, V2);
    await typeInto(page, "save-message", "first code");
    await byTestId(page, "save-button").click();
    await expect.poll(() => byTestId(page, "editor-version").textContent()).toBe("v2");
    await byTestId(page, "editor-dirty").waitFor({ state: "detached" });

    await byTestId(page, `node-${fn}`).click();
    await typeCode(page, V3);
    const log = await dropFromPalette(page, "log", 560, 170);
    await connect(page, fn, "out", log);
    await typeInto(page, "save-message", "emit on out, log it");
    await byTestId(page, "save-button").click();
    await expect.poll(() => byTestId(page, "editor-version").textContent()).toBe("v3");
    await byTestId(page, "editor-dirty").waitFor({ state: "detached" });

    await byTestId(page, "tab-versions").click();
    await byTestId(page, "version-3").waitFor();
    await byTestId(page, "diff-from").selectOption("2");
    await byTestId(page, "diff-to").selectOption("3");
    const code = byTestId(page, `diff-code-${fn}`);
    await code.waitFor();
    // Monaco indents the body itself; the sign and the code are what matter.
    const lines = async (kind: string): Promise<string[]> =>
      (await code.locator(`[data-kind="${kind}"]`).allTextContents()).map((l) => l.replace(/\s+/g, " "));
    expect(await lines("removed")).toEqual(['− ctx.emit("out", r);']);
    expect(await lines("added")).toEqual(['+ ctx.emit("out", { value: r.value });']);
    expect(await byTestId(page, `diff-node-added-${log}`).textContent()).toContain("log");
    const addedEdges = page.locator('[data-testid^="diff-edge-added-"]');
    expect(await addedEdges.count()).toBe(1);
    expect(await addedEdges.textContent()).toMatch(new RegExp(`\\.out → `));
    expect(await page.locator('[data-testid^="diff-node-removed-"]').count()).toBe(0);
    await byTestId(page, "version-diff").scrollIntoViewIfNeeded();
    await b.shot("version diff v2 to v3");

    // The unsaved canvas against v3: a renamed node, nothing else.
    await byTestId(page, `node-${log}`).click();
    await typeInto(page, "inspector-node-name", "audit sink");
    await byTestId(page, "tab-versions").click();
    await byTestId(page, "diff-from").selectOption("3");
    await byTestId(page, "diff-to").selectOption("canvas");
    await expect
      .poll(() => byTestId(page, `diff-node-changed-${log}`).textContent())
      .toMatch(/~ node audit sink \(renamed from/);
    expect(await page.locator('[data-testid^="diff-code-"]').count()).toBe(0);
    await byTestId(page, "version-diff").scrollIntoViewIfNeeded();
    await b.shot("version diff v3 to canvas");
  });
});
