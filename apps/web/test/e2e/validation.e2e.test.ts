// Story (b), issue #6: problems are shown where they are: an inline message on a bad config
// field, and a save refused because of one function's code marks that node (and only that one),
// the problems panel, and the failing line in Monaco.
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { byTestId, drawGeneratorFunctionLog, typeCode, typeInto } from "./editor-actions";

const b = useBrowser();

describe("validation", () => {
  it("shows a code error on the function node that has it and keeps the flow unsaved", async () => {
    const page = b.page;
    const { gen, fn, out } = await drawGeneratorFunctionLog(page, b.url, "e2e validation");

    // A bad value in a config form is flagged as it is typed.
    await byTestId(page, `node-${gen}`).click();
    // Each field's help is the .describe() on its schema field.
    expect(await byTestId(page, "field-help-intervalMs").textContent()).toMatch(
      /Milliseconds between records/,
    );
    await typeInto(page, "field-intervalMs", "-5");
    await byTestId(page, "field-error-intervalMs").waitFor();
    expect(await byTestId(page, "field-error-intervalMs").textContent()).not.toBe("");
    await b.shot("inline field error");
    await typeInto(page, "field-intervalMs", "500");
    await byTestId(page, "field-error-intervalMs").waitFor({ state: "detached" });

    await byTestId(page, `node-${fn}`).click();
    await byTestId(page, "inspector-tab-settings").click();
    await typeInto(page, "inspector-node-name", "transform");
    await byTestId(page, "inspector-tab-code").click();
    await typeCode(page, "export default (r) => {\n  return r +;\n};");
    await byTestId(page, "save-button").click();

    const badge = byTestId(page, `node-${fn}-problems`);
    await badge.waitFor();
    expect(await byTestId(page, `node-${fn}`).getAttribute("data-problems")).toBe("1");
    expect(await badge.getAttribute("title")).toContain("line 2");
    for (const other of [gen, out]) {
      expect(await byTestId(page, `node-${other}-problems`).count()).toBe(0);
    }
    await byTestId(page, "inspector-problems").waitFor();
    expect(await byTestId(page, "inspector-problems").textContent()).toContain("line 2");
    await page.locator(".monaco-editor .weir-error-line").first().waitFor();
    await b.shot("code error on the node");

    await byTestId(page, "tab-problems").click();
    expect(await byTestId(page, "problems-panel").textContent()).toContain("Expression expected");
    // Where, by the node's name rather than nodes[1].config.code.
    expect(await byTestId(page, "problem-0-where").textContent()).toBe("transform › code");
    // Nothing was saved: still version 1, still dirty.
    expect(await byTestId(page, "editor-version").textContent()).toBe("v1");
    await byTestId(page, "editor-dirty").waitFor();
    await b.shot("problems panel");

    // Fixed and saved: the old "Not saved" notice goes, replaced by "Saved as v2".
    expect(await byTestId(page, "toast-error").count()).toBe(1);
    await byTestId(page, `node-${fn}`).click();
    await typeCode(page, "export default (r) => {\n  return r;\n};");
    await byTestId(page, "save-button").click();
    await expect.poll(() => byTestId(page, "editor-version").textContent()).toBe("v2");
    await byTestId(page, "toast-success").waitFor();
    expect(await byTestId(page, "toast-error").count()).toBe(0);
  });
});
