// The flows list (issue #6): create, rename, duplicate, delete with confirmation, each flow with
// its version and deployment status. Through the UI only.
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

describe("flows list", () => {
  it("creates, renames, duplicates, deletes and shows version and deployment status", async () => {
    const page = b.page;
    const id = await createFlow(page, b.url, "e2e list original");
    await page.goto(b.url);
    await byTestId(page, `flow-row-${id}`).waitFor();
    expect(await byTestId(page, `flow-open-${id}`).textContent()).toContain("e2e list original");
    expect(await byTestId(page, `flow-version-${id}`).textContent()).toBe("v1");
    expect(await byTestId(page, `flow-status-${id}`).textContent()).toContain("not deployed");
    await b.shot("created");

    await byTestId(page, `flow-rename-${id}`).click();
    await typeInto(page, "flow-rename-input", "e2e list renamed");
    await b.shot("renaming");
    await byTestId(page, "flow-rename-submit").click();
    await expect.poll(() => byTestId(page, `flow-open-${id}`).textContent()).toContain("e2e list renamed");
    // The name is part of the versioned spec: a rename is a new version.
    await expect.poll(() => byTestId(page, `flow-version-${id}`).textContent()).toBe("v2");

    await byTestId(page, `flow-duplicate-${id}`).click();
    const copies = page.locator('[data-testid^="flow-open-"]', { hasText: "e2e list renamed (copy)" });
    await expect.poll(() => copies.count(), { message: "the copy should be listed" }).toBe(1);
    const copyId = ((await copies.getAttribute("data-testid")) ?? "").slice("flow-open-".length);
    expect(copyId).not.toBe(id);
    expect(await byTestId(page, `flow-version-${copyId}`).textContent()).toBe("v1");
    await b.shot("duplicated");

    await byTestId(page, `flow-delete-${copyId}`).click();
    await byTestId(page, "confirm-dialog").waitFor();
    await b.shot("confirm delete");
    await byTestId(page, "confirm-cancel").click();
    await byTestId(page, "confirm-dialog").waitFor({ state: "detached" });
    await byTestId(page, `flow-row-${copyId}`).waitFor();
    await byTestId(page, `flow-delete-${copyId}`).click();
    await byTestId(page, "confirm-ok").click();
    await byTestId(page, `flow-row-${copyId}`).waitFor({ state: "detached" });

    // Deploy the original from the editor; the list then says it runs and which version.
    await byTestId(page, `flow-open-${id}`).click();
    await page.waitForURL(`**/flows/${id}`);
    const gen = await dropFromPalette(page, "generator", 115, 110);
    const out = await dropFromPalette(page, "log", 450, 250);
    await connect(page, gen, "out", out);
    await byTestId(page, "save-button").click();
    await expect.poll(() => byTestId(page, "editor-version").textContent()).toBe("v3");
    await byTestId(page, "deploy-button").click();
    await waitForDeployment(page, "running");
    await page.goto(b.url);
    await expect.poll(() => byTestId(page, `flow-status-${id}`).textContent()).toMatch(/running.*v3/);
    expect(await byTestId(page, `flow-version-${id}`).textContent()).toBe("v3");
    await b.shot("running in the list");
    await b.api("deployment.stop", { flowId: id }, "POST");
  });
});
