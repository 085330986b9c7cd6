// Canvas editing (issue #6): an invalid connection refused as it is drawn, delete, undo and redo,
// copy and paste with the keyboard, Ctrl+S, zoom to fit and the minimap, at 1280×800 and on a
// large screen. Through the UI only.
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { byTestId, connect, createFlow, dropFromPalette, nodeIds } from "./editor-actions";

const b = useBrowser();

describe("canvas editing", () => {
  it("refuses a cycle, deletes, undoes, redoes, copies, pastes and saves from the keyboard", async () => {
    const page = b.page;
    await createFlow(page, b.url, "e2e canvas editing");
    const first = await dropFromPalette(page, "function", 115, 110);
    const second = await dropFromPalette(page, "function", 342, 250);
    const edges = page.locator('[data-testid^="rf__edge-"]');
    await connect(page, first, "out", second);
    await expect.poll(() => edges.count(), { message: "first → second should connect" }).toBe(1);

    // second → first would close a cycle: refused while it is drawn, nothing added.
    await connect(page, second, "out", first);
    await byTestId(page, "connection-refused").waitFor();
    expect(await byTestId(page, "connection-refused").textContent()).toMatch(/cycle/i);
    expect(await edges.count()).toBe(1);
    await b.shot("cycle refused");

    await byTestId(page, `node-${second}`).click();
    await page.keyboard.press("Delete");
    await expect.poll(() => nodeIds(page), { message: "Delete removes the selected node" }).toEqual([first]);
    expect(await edges.count()).toBe(0);
    await b.shot("deleted");

    await page.keyboard.press("ControlOrMeta+Z");
    await expect
      .poll(async () => (await nodeIds(page)).sort(), { message: "undo brings it back" })
      .toEqual([first, second].sort());
    // React Flow draws an edge only once both of its nodes are measured again, a frame or more later.
    await expect.poll(() => edges.count(), { message: "undo brings its edge back" }).toBe(1);
    await page.keyboard.press("ControlOrMeta+Shift+Z");
    await expect.poll(() => nodeIds(page), { message: "redo deletes it again" }).toEqual([first]);
    await byTestId(page, "undo-button").click();
    await expect.poll(async () => (await nodeIds(page)).length).toBe(2);
    await b.shot("undone");

    await byTestId(page, `node-${first}`).click();
    await page.keyboard.press("ControlOrMeta+C");
    await page.keyboard.press("ControlOrMeta+V");
    await expect.poll(async () => (await nodeIds(page)).length, { message: "paste adds a copy" }).toBe(3);
    await b.shot("pasted");

    await page.keyboard.press("ControlOrMeta+S");
    await expect.poll(() => byTestId(page, "editor-version").textContent()).toBe("v2");
    await byTestId(page, "editor-dirty").waitFor({ state: "detached" });

    await byTestId(page, "fit-view-button").click();
    await byTestId(page, "rf__minimap").waitFor();
    await b.shot("saved and fitted");

    // The same editor on a large screen: everything still in view.
    await page.setViewportSize({ width: 1920, height: 1080 });
    await byTestId(page, "fit-view-button").click();
    for (const id of ["palette", "canvas", "inspector", "save-button", "deploy-button", "tab-test"]) {
      expect(await byTestId(page, id).isVisible(), `${id} visible at 1920×1080`).toBe(true);
    }
    await b.shot("large screen");
  });
});
