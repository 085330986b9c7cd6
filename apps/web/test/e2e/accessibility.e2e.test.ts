// axe-core in the real page: the flows list, the editor (canvas with nodes, the inspector with
// Monaco open, the bottom panel) and the management pages (secrets, connections, components,
// engines) have no serious or critical accessibility violations.
import { describe, expect, it } from "vitest";
import { seriousViolations } from "./axe";
import { useBrowser } from "./browser";
import { byTestId, connect, createFlow, dropFromPalette } from "./editor-actions";

const b = useBrowser();
describe("accessibility", () => {
  it("the flows list and the editor have no serious or critical axe violations", async () => {
    const page = b.page;
    const flowId = await createFlow(page, b.url, "e2e accessibility");
    const gen = await dropFromPalette(page, "generator", 115, 110);
    const fn = await dropFromPalette(page, "function", 342, 250);
    await connect(page, gen, "out", fn);
    await byTestId(page, `node-${fn}`).click();
    await byTestId(page, "code-editor").locator(".monaco-editor").waitFor();
    await byTestId(page, "save-button").click();
    await byTestId(page, "editor-dirty").waitFor({ state: "detached" });
    expect(await seriousViolations(page), "editor with Monaco open").toEqual([]);

    await byTestId(page, `node-${gen}`).click();
    await byTestId(page, "field-intervalMs").waitFor();
    await byTestId(page, "tab-versions").click();
    await byTestId(page, "version-2").waitFor();
    expect(await seriousViolations(page), "editor: a form and the versions").toEqual([]);

    // Deployed, so the list shows a "running" badge too (its colours once fell short of 4.5:1).
    await byTestId(page, "deploy-button").click();
    await byTestId(page, "deployment-status").and(page.locator('[data-state="running"]')).waitFor();
    await page.goto(b.url);
    await byTestId(page, `flow-status-${flowId}`).and(page.locator('[data-state="running"]')).waitFor();
    expect(await seriousViolations(page), "flows list with a running flow").toEqual([]);
    await page.goto(`${b.url}/flows/${flowId}`);
    await byTestId(page, "stop-button").click();
    await byTestId(page, "deployment-status").and(page.locator('[data-state="stopped"]')).waitFor();
  });

  it("the secrets, connections, components and engines pages have no serious or critical axe violations", async () => {
    const page = b.page;
    // Rows to show, set up through the API: the pages themselves are what is checked.
    await b.api("secrets.set", { name: "A11Y_KEY", value: "x" }, "POST");
    await b.api(
      "connections.set",
      { name: "a11y-kafka", kind: "kafka", config: { brokers: ["localhost:9092"], ssl: true } },
      "POST",
    );
    await page.goto(`${b.url}/secrets`);
    await byTestId(page, "secret-row-A11Y_KEY").waitFor();
    expect(await seriousViolations(page), "secrets page").toEqual([]);
    await byTestId(page, "secret-delete-A11Y_KEY").click();
    await byTestId(page, "confirm-dialog").waitFor();
    expect(await seriousViolations(page), "secrets page: delete dialog").toEqual([]);
    await byTestId(page, "confirm-cancel").click();

    await page.goto(`${b.url}/connections`);
    await byTestId(page, "connection-row-a11y-kafka").waitFor();
    await byTestId(page, "connection-edit-a11y-kafka").click();
    await byTestId(page, "connection-form").waitFor();
    expect(await seriousViolations(page), "connections page with the form open").toEqual([]);

    await page.goto(`${b.url}/components`);
    await byTestId(page, "components-empty").or(byTestId(page, "components-list")).waitFor();
    expect(await seriousViolations(page), "components page").toEqual([]);

    await page.goto(`${b.url}/engines`);
    await byTestId(page, "engines-list").waitFor();
    expect(await seriousViolations(page), "engines page").toEqual([]);
  });
});
