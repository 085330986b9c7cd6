// Story (d), issue #6: records a function keeps failing on land in the dead-letter panel with
// their error; after a fix is deployed, replaying them sends them through to the sink.
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import {
  byTestId,
  drawGeneratorFunctionLog,
  numberIn,
  typeCode,
  typeInto,
  waitForDeployment,
} from "./editor-actions";

const b = useBrowser();

describe("dead letters", () => {
  it("lists records a function failed on and replays them after a fix", async () => {
    const page = b.page;
    const { gen, fn, out } = await drawGeneratorFunctionLog(page, b.url, "e2e dead letters");
    await byTestId(page, `node-${gen}`).click();
    await typeInto(page, "field-intervalMs", "50");
    await typeInto(page, "field-count", "3");
    await byTestId(page, `node-${fn}`).click();
    await typeCode(
      page,
      'export default (record) => {\n  throw new Error("boom on " + record.value.seq);\n};',
    );
    await byTestId(page, "save-button").click();
    await byTestId(page, "editor-dirty").waitFor({ state: "detached" });
    await byTestId(page, "deploy-button").click();
    await waitForDeployment(page, "running");

    await byTestId(page, "tab-dead-letters").click();
    const rows = page.locator('[data-testid^="dead-letter-"]:not([data-testid^="dead-letter-select-"])');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(3);
    expect(await byTestId(page, "dead-letters-panel").textContent()).toMatch(/boom on \d+/);
    await expect.poll(() => numberIn(byTestId(page, `node-${fn}-stat-errors`)), { timeout: 10_000 }).toBe(3);
    await b.shot("three dead letters");

    // The fix: pass records through. Save, redeploy, then replay what failed.
    await byTestId(page, `node-${fn}`).click();
    await typeCode(page, "export default (record) => ({ value: { fixed: record.value.seq } });");
    await byTestId(page, "save-button").click();
    await byTestId(page, "editor-dirty").waitFor({ state: "detached" });
    await byTestId(page, "deploy-button").click();
    await expect
      .poll(async () => byTestId(page, "deployment-status").textContent(), { timeout: 20_000 })
      .toMatch(/running.*v3/);

    await byTestId(page, "tab-dead-letters").click();
    await byTestId(page, "dead-letters-select-all").click();
    await b.shot("selected for replay");
    await byTestId(page, "dead-letters-replay").click();
    // Each row shows its status; all three must reach "replayed" (the engine feeds them back).
    await expect
      .poll(async () => (await rows.allTextContents()).map((text) => text.includes("replayed")), {
        timeout: 20_000,
        message: "every dead letter's row should say replayed",
      })
      .toEqual([true, true, true]);
    await b.shot("replayed");

    await byTestId(page, `node-${out}`).click();
    await byTestId(page, "tab-logs").click();
    await expect.poll(() => byTestId(page, "logs-line").count(), { timeout: 10_000 }).toBe(3);
    expect(await byTestId(page, "logs-panel").textContent()).toContain("fixed");
    await b.shot("replayed records reached the sink");
    await byTestId(page, "stop-button").click();
  });
});
