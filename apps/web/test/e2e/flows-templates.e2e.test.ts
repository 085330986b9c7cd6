// Issue 18: New from template opens the template in the editor as a new, unsaved flow: nothing
// is stored until Save, and leaving without saving leaves nothing. Every template is opened (its
// nodes on the canvas); those that run as they are get saved, the Go and Python ones are refused
// at Save until their component is picked; the quickstart is deployed straight from its unsaved
// state (Deploy saves first) and its records/s rises in the list
// without a reload, and the list is searched by name and filtered by status.
import { describe, expect, it } from "vitest";
import { TEMPLATES } from "../../src/templates/catalog";
import { useBrowser } from "./browser";
import { byTestId, nodeIds, waitForDeployment } from "./editor-actions";

const b = useBrowser();

/** Templates whose function runs an uploaded component: Save waits until one is picked. */
const NEEDS_COMPONENT = new Set(["wasm-go", "wasm-python"]);

async function flowCount(): Promise<number> {
  return (await b.api<unknown[]>("flow.list")).length;
}

describe("flows list: templates, live activity, search", () => {
  it("opens each template unsaved, saves those that run, deploys one, watches its rate and searches the list", async () => {
    const page = b.page;
    const made = new Map<string, string>();
    let stored = await flowCount();

    // Opened and left by the app's own link: nothing is created.
    await page.goto(b.url);
    await byTestId(page, "template-gallery-open").click();
    // The Go and Python templates say where their component comes from before they are opened.
    for (const id of NEEDS_COMPONENT)
      expect(await byTestId(page, `template-component-${id}`).textContent()).toContain(
        `examples/functions/${id.slice("wasm-".length)}/build.mjs`,
      );
    await b.shot("template gallery");
    await byTestId(page, "template-use-quickstart").click();
    await page.waitForURL(/\/flows\/new\?template=quickstart$/);
    await byTestId(page, "canvas").waitFor();
    expect(await byTestId(page, "editor-version").textContent()).toBe("not saved");
    await byTestId(page, "editor-dirty").waitFor();
    await b.shot("a template opened unsaved");
    await byTestId(page, "editor-all-flows").click();
    await page.waitForURL(`${b.url}/`);
    await byTestId(page, "template-gallery-open").waitFor();
    expect(await flowCount()).toBe(stored);

    for (const template of TEMPLATES) {
      await page.goto(b.url);
      await byTestId(page, "template-gallery-open").click();
      await byTestId(page, `template-use-${template.id}`).click();
      await page.waitForURL(new RegExp(`/flows/new\\?template=${template.id}$`));
      await byTestId(page, "canvas").waitFor();
      await expect
        .poll(() => nodeIds(page))
        .toEqual(expect.arrayContaining((template.spec.nodes ?? []).map((n) => n.id)));
      expect(await byTestId(page, "editor-version").textContent()).toBe("not saved");
      expect(await flowCount()).toBe(stored);

      // The quickstart goes straight to Deploy, which saves (creating the flow) first.
      const deploying = template.id === "quickstart";
      await byTestId(page, deploying ? "deploy-button" : "save-button").click();
      if (NEEDS_COMPONENT.has(template.id)) {
        // Refused, on the node, naming what is missing; still nothing stored.
        await byTestId(page, "problems-panel").waitFor();
        expect(await byTestId(page, "problems-panel").textContent()).toContain(
          "neither an artifact (the sha256 of an uploaded component) nor code",
        );
        expect(page.url()).toContain("/flows/new?template=");
        expect(await flowCount()).toBe(stored);
        if (template.id === "wasm-go") await b.shot("go template needs its component");
        continue;
      }
      await page.waitForURL(/\/flows\/[0-9a-f-]{36}$/);
      await byTestId(page, "canvas").waitFor();
      await expect.poll(() => byTestId(page, "editor-version").textContent()).toBe("v1");
      expect(await byTestId(page, "editor-dirty").count()).toBe(0);
      stored += 1;
      expect(await flowCount()).toBe(stored);
      made.set(template.id, /\/flows\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? "");
      if (deploying) await waitForDeployment(page, "running");
    }

    const quickstart = made.get("quickstart") ?? "";

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
