// Issue 18: the flows list lives. A flow is made from every template in the gallery (each opens
// in the editor with the template's nodes), one is deployed and its records/s rises in the list
// without a reload, and the list is searched by name and filtered by status.
import { describe, expect, it } from "vitest";
import { TEMPLATES } from "../../src/templates/catalog";
import { useBrowser } from "./browser";
import { byTestId, nodeIds } from "./editor-actions";

const b = useBrowser();

describe("flows list: templates, live activity, search", () => {
  it("creates a flow from each template, deploys one, watches its rate and searches the list", async () => {
    const page = b.page;
    const made = new Map<string, string>();
    for (const template of TEMPLATES) {
      await page.goto(b.url);
      await byTestId(page, "template-gallery-open").click();
      if (made.size === 0) await b.shot("template gallery");
      await byTestId(page, `template-use-${template.id}`).click();
      await page.waitForURL(/\/flows\/[0-9a-f-]{36}$/);
      await byTestId(page, "canvas").waitFor();
      const id = /\/flows\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? "";
      await expect
        .poll(() => nodeIds(page))
        .toEqual(expect.arrayContaining((template.spec.nodes ?? []).map((n) => n.id)));
      expect(await byTestId(page, "editor-version").textContent()).toBe("v1");
      made.set(template.id, id);
    }
    await b.shot("a template opened in the editor");

    const quickstart = made.get("quickstart") ?? "";
    await page.goto(`${b.url}/flows/${quickstart}`);
    await byTestId(page, "deploy-button").click();
    await expect
      .poll(() => byTestId(page, "deployment-status").getAttribute("data-state"), { timeout: 20_000 })
      .toBe("running");

    await page.goto(b.url);
    const rate = byTestId(page, `flow-rate-${quickstart}`);
    // The quickstart's generator emits every 200 ms: about 5 records/s once the engine reports.
    await expect
      .poll(async () => Number(await rate.getAttribute("data-rate")), { timeout: 20_000 })
      .toBeGreaterThan(2);
    await b.shot("flows list with live activity");

    await byTestId(page, "flows-search").click();
    await page.keyboard.type("enrich", { delay: 20 });
    const rows = page.locator('[data-testid^="flow-row-"]');
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    for (const name of await page.locator('[data-testid^="flow-open-"]').allTextContents()) {
      expect(name.toLowerCase()).toContain("enrich");
    }
    await byTestId(page, `flow-row-${made.get("kafka-enrich") ?? ""}`).waitFor();
    await b.shot("searched");

    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.press("Delete");
    await byTestId(page, "flows-filter").selectOption("running");
    await byTestId(page, `flow-row-${quickstart}`).waitFor();
    for (const status of await page
      .locator('[data-testid^="flow-status-"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-state")))) {
      expect(["running", "pending", "starting"]).toContain(status);
    }
    await byTestId(page, `flow-row-${made.get("http-router") ?? ""}`).waitFor({ state: "detached" });

    await b.api("deployment.stop", { flowId: quickstart }, "POST");
  });
});
