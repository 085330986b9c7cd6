// Issue 18: a person manages secrets in the browser: creates one by typing its value into a
// password field, uses it in a function's Test, replaces the value, and is told which flows read
// it before deleting it.
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { byTestId, createFlow, dropFromPalette, typeCode, typeInto } from "./editor-actions";

const b = useBrowser();

const READS_SECRET = [
  "export default (record, ctx) => {",
  'const token = ctx.secrets["E2E_TOKEN"];',
  'return { value: { length: token.length, matches: token === "tok-123" } };',
  "};",
].join("\n");

describe("secrets page", () => {
  it("creates a secret, uses it in a function's Test, replaces it and warns before deleting it", async () => {
    const page = b.page;
    await page.goto(b.url);
    await byTestId(page, "nav-secrets").click();
    await page.waitForURL(/\/secrets$/);
    await byTestId(page, "secrets-empty").or(byTestId(page, "secrets-list")).waitFor();

    await typeInto(page, "secret-name", "E2E_TOKEN");
    await typeInto(page, "secret-value", "tok-123");
    expect(await byTestId(page, "secret-value").getAttribute("type")).toBe("password");
    await b.shot("secret typed");
    await byTestId(page, "secret-save").click();
    await byTestId(page, "secret-row-E2E_TOKEN").waitFor();
    // Write-only: the form is cleared and the page holds the value nowhere.
    expect(await byTestId(page, "secret-value").inputValue()).toBe("");
    expect(await page.content()).not.toContain("tok-123");
    expect(await byTestId(page, "secret-flows-E2E_TOKEN").textContent()).toBe("none");
    await b.shot("secret listed");

    // The function reads it in Test.
    const flowId = await createFlow(page, b.url, "e2e reads a secret");
    const fn = await dropFromPalette(page, "function", 342, 250);
    await byTestId(page, `node-${fn}`).click();
    await byTestId(page, "inspector-tab-settings").click();
    await byTestId(page, "secret-toggle-E2E_TOKEN").click();
    expect(await byTestId(page, "secrets-manage-link").getAttribute("href")).toBe("/secrets");
    await byTestId(page, "inspector-tab-code").click();
    await typeCode(page, READS_SECRET);
    await byTestId(page, "tab-test").click();
    await typeInto(page, "test-input", '[{ "value": {} }]');
    await byTestId(page, "test-run").click();
    const output = byTestId(page, "test-output-0-out");
    await expect
      .poll(async () => (await output.textContent()) ?? "", { timeout: 15_000 })
      .toMatch(/"matches":\s*true/);
    expect(await output.textContent()).toMatch(/"length":\s*7/);
    await b.shot("test reads the secret");
    await byTestId(page, "save-button").click();
    await byTestId(page, "editor-dirty").waitFor({ state: "detached" });

    // Replace the value: the list shows the flow reading it, and Test sees the new value.
    await page.goto(`${b.url}/secrets`);
    await byTestId(page, "secret-flows-E2E_TOKEN").getByText("e2e reads a secret").waitFor();
    const updatedBefore = await byTestId(page, "secret-updated-E2E_TOKEN")
      .locator("time")
      .getAttribute("datetime");
    await byTestId(page, "secret-replace-E2E_TOKEN").click();
    await page.keyboard.type("tok-456789", { delay: 5 });
    expect(await byTestId(page, "secret-save").textContent()).toBe("Replace value");
    await byTestId(page, "secret-save").click();
    await byTestId(page, "toast-success").getByText("Replaced the value of E2E_TOKEN").waitFor();
    await expect
      .poll(() => byTestId(page, "secret-updated-E2E_TOKEN").locator("time").getAttribute("datetime"))
      .not.toBe(updatedBefore);

    await page.goto(`${b.url}/flows/${flowId}`);
    await byTestId(page, `node-${fn}`).click();
    await byTestId(page, "tab-test").click();
    await typeInto(page, "test-input", '[{ "value": {} }]');
    await byTestId(page, "test-run").click();
    await expect
      .poll(async () => (await byTestId(page, "test-output-0-out").textContent()) ?? "", { timeout: 15_000 })
      .toMatch(/"length":\s*10/);

    // Deleting names the flow that reads it; cancelling keeps it.
    await page.goto(`${b.url}/secrets`);
    await byTestId(page, "secret-delete-E2E_TOKEN").click();
    const dialog = byTestId(page, "confirm-dialog");
    expect(await dialog.textContent()).toContain("“e2e reads a secret” reads it");
    await b.shot("delete warns with the flow");
    await byTestId(page, "confirm-cancel").click();
    await byTestId(page, "secret-row-E2E_TOKEN").waitFor();
    await byTestId(page, "secret-delete-E2E_TOKEN").click();
    await byTestId(page, "confirm-ok").click();
    await byTestId(page, "secret-row-E2E_TOKEN").waitFor({ state: "detached" });
  });
});
