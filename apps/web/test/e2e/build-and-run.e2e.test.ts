// Story (a), issue #6: a person builds generator → JS function → log in the browser, tests the
// function on a sample, saves, deploys, watches the counters rise, reads the logs and stops it.
// Through the UI only.
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

const DOUBLE = [
  "export default (record, ctx) => {",
  '  ctx.log.info("doubling " + record.value.seq);',
  "  const doubled = Number(record.value.seq) * 2;",
  "  return { value: { seq: record.value.seq, doubled } };",
  "};",
].join("\n");

describe("build and run a flow", () => {
  it("draws, codes, tests, saves, deploys, watches and stops a flow", async () => {
    const page = b.page;
    await createFlow(page, b.url, "e2e build and run");
    await byTestId(page, "palette-item-generator").waitFor();
    await b.shot("empty editor");

    const gen = await dropFromPalette(page, "generator", 115, 110);
    const fn = await dropFromPalette(page, "function", 342, 250);
    const out = await dropFromPalette(page, "log", 540, 110);
    await b.shot("three nodes dropped");

    // A brisk generator so the counters move within a second or two.
    await byTestId(page, `node-${gen}`).click();
    await typeInto(page, "field-intervalMs", "100");

    await connect(page, gen, "out", fn);
    await connect(page, fn, "out", out);
    await expect.poll(() => page.locator('[data-testid^="rf__edge-"]').count(), { timeout: 5_000 }).toBe(2);
    await b.shot("connected");

    await byTestId(page, `node-${fn}`).click();
    await typeCode(page, DOUBLE);
    await b.shot("code typed");

    await byTestId(page, "tab-test").click();
    await typeInto(page, "test-input", '[{ "value": { "seq": 21 } }]');
    await byTestId(page, "test-run").click();
    await expect
      .poll(async () => (await byTestId(page, "test-output-0-out").textContent()) ?? "", { timeout: 15_000 })
      .toMatch(/"doubled":\s*42/);
    expect(await byTestId(page, "test-logs").textContent()).toContain("doubling 21");
    await b.shot("test output");

    await byTestId(page, "save-button").click();
    await byTestId(page, "editor-dirty").waitFor({ state: "detached" });
    await expect.poll(async () => byTestId(page, "editor-version").textContent()).toBe("v2");
    await b.shot("saved");

    await byTestId(page, "deploy-button").click();
    await waitForDeployment(page, "running");
    // Live counters arrive through the stats.live subscription, never a reload.
    const fnIn = byTestId(page, `node-${fn}-stat-in`);
    await fnIn.waitFor({ timeout: 10_000 });
    await expect.poll(() => numberIn(fnIn), { timeout: 10_000 }).toBeGreaterThan(0);
    const first = await numberIn(fnIn);
    await expect.poll(() => numberIn(fnIn), { timeout: 10_000 }).toBeGreaterThan(first);
    await expect
      .poll(() => numberIn(byTestId(page, `node-${out}-stat-in`)), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await expect
      .poll(async () => Number((await fnIn.getAttribute("data-rate")) ?? 0), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await b.shot("running with live counters");

    await byTestId(page, `node-${out}`).click();
    await byTestId(page, "tab-logs").click();
    await expect.poll(() => byTestId(page, "logs-line").count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await byTestId(page, "logs-panel").textContent()).toMatch(/doubled/);
    await b.shot("sink logs");
    await byTestId(page, `node-${fn}`).click();
    await expect
      .poll(async () => (await byTestId(page, "logs-panel").textContent()) ?? "", { timeout: 10_000 })
      .toMatch(/doubling \d+/);
    await b.shot("function logs");

    await byTestId(page, "stop-button").click();
    await waitForDeployment(page, "stopped");
    await b.shot("stopped");
  });
});
