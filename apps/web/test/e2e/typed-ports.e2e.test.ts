// Issue #11 B, typed ports, as a person uses them: an input schema typed key by key in a function's
// Settings types `record.value` in Monaco (the completion list offers the schema's fields as
// `record.value.` is typed); an output port's schema typed the same way makes the edge drawn from
// it to that input flagged at once (the two types named), and the save refuses it at its edge;
// a sample record that breaks the input schema is shown, with its path, in the Test panel.
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { byTestId, clickEdge, connect, createFlow, dropFromPalette, typeInto } from "./editor-actions";

const b = useBrowser();

const INPUT_SCHEMA =
  '{"type":"object","properties":{"amount":{"type":"number"},"currency":{"enum":["EUR","USD"]}},"required":["amount"]}';
const OUT_SCHEMA = '{"type":"object","properties":{"amount":{"type":"string"}},"required":["amount"]}';

describe("typed ports", () => {
  it("types ports key by key, completes record.value, flags a mismatched edge and a bad sample", async () => {
    const page = b.page;
    await createFlow(page, b.url, "e2e typed ports");
    const enrich = await dropFromPalette(page, "function", 130, 260);
    const total = await dropFromPalette(page, "function", 540, 260);

    // The input schema, key by key; the field says nothing is wrong once it is whole.
    await byTestId(page, `node-${total}`).click();
    await byTestId(page, "inspector-tab-settings").click();
    await typeInto(page, "field-schema-input", INPUT_SCHEMA);
    await expect.poll(() => byTestId(page, "field-schema-input-error").count()).toBe(0);

    // Monaco: the starter's handler is a Handler<Input>; typing `record.value.` offers the fields.
    await byTestId(page, "inspector-tab-code").click();
    const editor = byTestId(page, "code-editor").locator(".monaco-editor");
    await editor.locator(".view-lines").click();
    // Onto `return { value: record.value };` from the end (long lines above it wrap), a new line.
    await page.keyboard.press("ControlOrMeta+End");
    for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowUp");
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await page.keyboard.type("const amount = record.value.", { delay: 20 });
    const suggestions = page.locator(".monaco-editor .suggest-widget.visible");
    await expect
      .poll(async () => ((await suggestions.count()) > 0 ? ((await suggestions.textContent()) ?? "") : ""), {
        timeout: 15_000,
        message: "Monaco suggests the input schema's fields after `record.value.`",
      })
      .toContain("amount");
    expect(await suggestions.textContent()).toContain("currency");
    await b.shot("record-value-completion");
    await page.keyboard.press("Escape");
    await page.keyboard.type("amount;", { delay: 20 });

    // The sending port's schema, key by key: its amount is a string.
    await byTestId(page, `node-${enrich}`).click();
    await byTestId(page, "inspector-tab-settings").click();
    await typeInto(page, `field-schema-output-out`, OUT_SCHEMA);
    await expect.poll(() => byTestId(page, "field-schema-output-out-error").count()).toBe(0);

    // Drawn by dragging: the edge is kept, flagged red with both types, and the notice says why.
    await connect(page, enrich, "out", total);
    const edgeId = `${enrich}-${total}`;
    const badge = byTestId(page, `edge-${edgeId}-type-mismatch`);
    await badge.waitFor();
    expect(await badge.textContent()).toBe("⚠ types");
    const notice = (await byTestId(page, "connection-type-mismatch").textContent()) ?? "";
    expect(notice).toContain(`port 'out' of '${enrich}' sends { amount: string; }`);
    expect(notice).toContain(`the input of '${total}' accepts { amount: number;`);
    expect(notice).toContain("at amount: must be number");
    expect(
      await page.locator(`[data-testid="rf__edge-${edgeId}"] path.wedge-invalid`).count(),
      "the edge is drawn red",
    ).toBe(1);
    // test/screenshots/typed-ports.png is this step's picture (test-artifacts/<test>/02-typed-ports.png).
    await b.shot("typed-ports");
    // Selected, the edge keeps saying why once the notice has gone.
    await clickEdge(page, edgeId);
    const why = (await byTestId(page, "edge-type-messages").textContent()) ?? "";
    expect(why).toContain("{ amount: string; } ≠ { amount: number;");
    expect(why).toContain("a record such as");
    await b.shot("edge-selected");

    // The save refuses it at the edge, with the same words.
    await byTestId(page, "save-button").click();
    await byTestId(page, "tab-problems").click();
    await expect
      .poll(async () => (await byTestId(page, "problems-panel").textContent()) ?? "", { timeout: 15_000 })
      .toContain(`port 'out' of '${enrich}' sends { amount: string; }`);
    await expect.poll(() => byTestId(page, `edge-${edgeId}`).getAttribute("data-problems")).toBe("1");

    // A sample that breaks the input schema: shown with its path before anything runs.
    await byTestId(page, `node-${total}`).click();
    await byTestId(page, "tab-test").click();
    await typeInto(
      page,
      "test-input",
      '[{"value":{"amount":12.5}},{"value":{"amount":"12","currency":"GBP"}}]',
    );
    const typeError = byTestId(page, "test-input-type-error");
    await typeError.waitFor();
    const shown = (await typeError.textContent()) ?? "";
    expect(shown).toContain('[1].value.amount: must be number (got string "12")');
    expect(shown).toContain('[1].value.currency: must be one of "EUR", "USD" (got "GBP")');
    expect(shown).not.toContain("[0]");
    await b.shot("sample-type-error");
  });
});
