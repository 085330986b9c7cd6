// A person picks the python runtime for a function node, types Python into Monaco key by key,
// tries it in the Test panel (through functions.trigger on the engine's python runtime), sees a
// syntax error at its line, fixes it, saves and deploys. Through the UI only.
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import {
  byTestId,
  connect,
  createFlow,
  dropFromPalette,
  numberIn,
  typeCode,
  typeInto,
  waitForDeployment,
} from "./editor-actions";

const b = useBrowser();

// Typed without indentation: Monaco indents after a line ending with ':' and keeps it.
const DOUBLE = [
  "def handle(record, ctx):",
  'ctx.log.info("doubling", record["value"]["seq"])',
  'return {"value": {"seq": record["value"]["seq"], "doubled": record["value"]["seq"] * 2}}',
].join("\n");

const BROKEN = ["def handle(record, ctx):", "return record +"].join("\n");

describe("a python function in the editor", () => {
  it("picks the python runtime, types Python, tests it, sees a syntax error's line, deploys it", async () => {
    const page = b.page;
    await createFlow(page, b.url, "e2e python function");
    const gen = await dropFromPalette(page, "generator", 115, 110);
    const fn = await dropFromPalette(page, "function", 342, 250);
    const out = await dropFromPalette(page, "log", 540, 110);
    await byTestId(page, `node-${gen}`).click();
    await typeInto(page, "field-intervalMs", "100");
    await connect(page, gen, "out", fn);
    await connect(page, fn, "out", out);

    await byTestId(page, `node-${fn}`).click();
    await byTestId(page, "inspector-tab-settings").click();
    await byTestId(page, "runtime-select").selectOption("python");
    // The language follows the runtime: Python is what the python runtime reads.
    await expect
      .poll(() => byTestId(page, "field-language").locator("option:checked").textContent())
      .toBe("python");
    await byTestId(page, "inspector-tab-code").click();
    // Monaco edits the node's code as a Python model (Monaco's own Python highlighting).
    await expect
      .poll(() =>
        byTestId(page, "code-editor").locator("[data-mode-id]").first().getAttribute("data-mode-id"),
      )
      .toBe("python");

    await typeCode(page, BROKEN);
    await byTestId(page, "tab-test").click();
    await typeInto(page, "test-input", '[{ "value": { "seq": 21 } }]');
    await byTestId(page, "test-run").click();
    await expect
      .poll(async () => (await byTestId(page, "test-problems").textContent()) ?? "", { timeout: 15_000 })
      .toMatch(/line 2/);
    await b.shot("python syntax error");

    await byTestId(page, "inspector-tab-code").click();
    await typeCode(page, DOUBLE);
    await byTestId(page, "tab-test").click();
    await byTestId(page, "test-run").click();
    await expect
      .poll(async () => (await byTestId(page, "test-output-0-out").textContent()) ?? "", { timeout: 15_000 })
      .toMatch(/"doubled":\s*42/);
    expect(await byTestId(page, "test-logs").textContent()).toContain("doubling 21");
    await b.shot("python tested");

    await byTestId(page, "save-button").click();
    await byTestId(page, "editor-dirty").waitFor({ state: "detached" });
    await byTestId(page, "deploy-button").click();
    await waitForDeployment(page, "running");
    await expect
      .poll(() => numberIn(byTestId(page, `node-${out}-stat-in`)), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await byTestId(page, `node-${out}`).click();
    await byTestId(page, "tab-logs").click();
    await expect.poll(() => byTestId(page, "logs-line").count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await byTestId(page, "logs-panel").textContent()).toMatch(/doubled/);
    await b.shot("python deployed");
    await byTestId(page, "stop-button").click();
    await waitForDeployment(page, "stopped");
  });
});
