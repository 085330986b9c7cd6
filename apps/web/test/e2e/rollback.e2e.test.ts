// Story (c), issue #6: roll back to an earlier version from the version history, and deploy it.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import {
  byTestId,
  connect,
  createFlow,
  dropFromPalette,
  typeInto,
  waitForDeployment,
} from "./editor-actions";

const b = useBrowser();

async function saveAs(page: Page, version: string): Promise<void> {
  await byTestId(page, "save-button").click();
  await expect.poll(async () => byTestId(page, "editor-version").textContent()).toBe(version);
  await byTestId(page, "editor-dirty").waitFor({ state: "detached" });
}

describe("rollback", () => {
  it("rolls back to an earlier version as a new version and runs it", async () => {
    const page = b.page;
    await createFlow(page, b.url, "e2e rollback");
    await byTestId(page, "palette-item-generator").waitFor();
    const gen = await dropFromPalette(page, "generator", 115, 110);
    const out = await dropFromPalette(page, "log", 450, 250);
    await connect(page, gen, "out", out);
    await byTestId(page, `node-${gen}`).click();
    await typeInto(page, "field-intervalMs", "250");
    await saveAs(page, "v2");

    await byTestId(page, `node-${gen}`).click();
    await typeInto(page, "field-intervalMs", "4000");
    await saveAs(page, "v3");

    await byTestId(page, "tab-versions").click();
    for (const n of [1, 2, 3]) await byTestId(page, `version-${String(n)}`).waitFor();
    await b.shot("three versions");

    await byTestId(page, "version-rollback-2").click();
    await byTestId(page, "confirm-dialog").waitFor();
    await b.shot("confirm rollback");
    await byTestId(page, "confirm-ok").click();
    await expect.poll(async () => byTestId(page, "editor-version").textContent()).toBe("v4");
    await byTestId(page, "version-4").waitFor();
    await expect.poll(() => byTestId(page, "version-message-4").textContent()).toBe("rollback to v2");
    expect(await byTestId(page, "version-summary-4").textContent()).toBe("~1 node");
    expect(await byTestId(page, "version-summary-3").textContent()).toBe("~1 node");
    await byTestId(page, `node-${gen}`).click();
    expect(await byTestId(page, "field-intervalMs").inputValue()).toBe("250");
    await b.shot("rolled back to v2 as v4");

    await byTestId(page, "deploy-button").click();
    await waitForDeployment(page, "running");
    expect(await byTestId(page, "deployment-status").textContent()).toContain("v4");
    await expect.poll(() => byTestId(page, "version-4").getAttribute("data-deployed")).toBe("true");
    await b.shot("v4 running");
    await byTestId(page, "stop-button").click();
    await waitForDeployment(page, "stopped");
  });
});
