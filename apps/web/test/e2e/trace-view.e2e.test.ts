// Issue #17 (tracing, in the editor): a record in the Logs panel, and one in the Dead letters
// panel, opens its trace: the waterfall of the nodes that handled it, each with its start, its
// time and what became of the record, read from the spans the engine keeps in memory (no
// collector is running). The default sampler traces these few records (10 new traces a second).
// While a trace is open the canvas marks the nodes it passed through; a function's ctx.log line
// opens the trace of the record it was written for.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { byTestId, drawGeneratorFunctionLog, typeCode, typeInto, waitForDeployment } from "./editor-actions";

const b = useBrowser();

/** The waterfall's rows as a person reads them: node, start, time taken, outcome. */
async function waterfall(
  page: Page,
): Promise<{ node: string; offset: string; duration: string; status: string }[]> {
  const rows = byTestId(page, "trace-span");
  const read = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    read.push({
      node: (await row.getByTestId("trace-span-node").textContent()) ?? "",
      offset: (await row.getByTestId("trace-span-offset").textContent()) ?? "",
      duration: (await row.getByTestId("trace-span-duration").textContent()) ?? "",
      status: (await row.getByTestId("trace-span-status").textContent()) ?? "",
    });
  }
  return read;
}

const TIME = /^\d+(\.\d+)? (ms|s)$/;

/** How each node is marked on the canvas (`data-traced`: ok, bad, or none). */
async function marks(page: Page, nodes: string[]): Promise<(string | null)[]> {
  return Promise.all(nodes.map((node) => byTestId(page, `node-${node}`).getAttribute("data-traced")));
}

describe("trace view", () => {
  it("opens a logged record's trace and a dead letter's, node by node", async () => {
    const page = b.page;
    const { gen, fn, out } = await drawGeneratorFunctionLog(page, b.url, "e2e trace view");
    await byTestId(page, `node-${gen}`).click();
    await typeInto(page, "field-intervalMs", "50");
    await typeInto(page, "field-count", "3");
    await byTestId(page, `node-${fn}`).click();
    await typeCode(
      page,
      'export default (record, ctx) => {\n  ctx.log.info("seq " + record.value.seq);\n  if (record.value.seq === 1) throw new Error("boom on " + record.value.seq);\n  return { value: { doubled: record.value.seq * 2 } };\n};',
    );
    await byTestId(page, "save-button").click();
    await byTestId(page, "editor-dirty").waitFor({ state: "detached" });
    await byTestId(page, "deploy-button").click();
    await waitForDeployment(page, "running");

    // The log sink's records: each has a Trace button; the first opens its waterfall.
    await byTestId(page, `node-${out}`).click();
    await byTestId(page, "tab-logs").click();
    await expect.poll(() => byTestId(page, "logs-line").count(), { timeout: 20_000 }).toBe(2);
    await expect.poll(() => byTestId(page, "trace-open-log-line").count(), { timeout: 10_000 }).toBe(2);
    await byTestId(page, "trace-open-log-line").first().click();
    await expect.poll(() => byTestId(page, "trace-span").count(), { timeout: 10_000 }).toBe(3);
    const passed = await waterfall(page);
    expect(passed.map((row) => row.node)).toEqual([`source ${gen}`, `function ${fn}`, `sink ${out}`]);
    expect(passed[0]?.offset).toBe("+0.00 ms");
    for (const row of passed) {
      expect(row.offset.slice(1)).toMatch(TIME);
      expect(row.duration).toMatch(TIME);
      expect(row.status).toMatch(/^ok/);
    }
    expect(await byTestId(page, "trace-total").textContent()).toMatch(/^3 spans, /);
    // The canvas marks the three nodes the record passed through, all fine.
    await expect.poll(() => marks(page, [gen, fn, out])).toEqual(["ok", "ok", "ok"]);
    await b.shot("trace of a logged record");
    await byTestId(page, "trace-close").click();
    await byTestId(page, "trace-view").waitFor({ state: "detached" });
    await expect.poll(() => marks(page, [gen, fn, out])).toEqual([null, null, null]);

    // The function's ctx.log lines each open the trace of the record they were written for.
    await byTestId(page, `node-${fn}`).click();
    await expect
      .poll(() => byTestId(page, "logs-line").count(), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(3);
    expect(await byTestId(page, "logs-line").first().textContent()).toContain("seq 0");
    await expect
      .poll(() => byTestId(page, "trace-open-log-line").count(), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(3);
    await byTestId(page, "trace-open-log-line").first().click();
    await expect.poll(() => byTestId(page, "trace-span").count(), { timeout: 10_000 }).toBe(3);
    expect((await waterfall(page)).map((row) => row.node)).toEqual([
      `source ${gen}`,
      `function ${fn}`,
      `sink ${out}`,
    ]);
    await b.shot("trace of a function log line");
    await byTestId(page, "trace-close").click();
    await byTestId(page, "trace-view").waitFor({ state: "detached" });

    // The dead letter's trace ends at the function, marked dead-lettered with its error.
    await byTestId(page, "tab-dead-letters").click();
    const open = page.locator('[data-testid^="trace-open-dead-letter-"]');
    await expect.poll(() => open.count(), { timeout: 20_000 }).toBe(1);
    await open.first().click();
    await expect.poll(() => byTestId(page, "trace-span").count(), { timeout: 10_000 }).toBe(2);
    const failed = await waterfall(page);
    expect(failed.map((row) => row.node)).toEqual([`source ${gen}`, `function ${fn}`]);
    expect(failed[1]?.status).toMatch(/^dead-lettered after \d+ attempts?: .*boom on 1/);
    expect(await byTestId(page, "trace-span").nth(1).getAttribute("data-dead-lettered")).toBe("true");
    // The record stopped at the function, which the canvas marks as where it failed.
    await expect.poll(() => marks(page, [gen, fn, out])).toEqual(["ok", "bad", null]);
    await b.shot("trace of a dead letter");
    await byTestId(page, "stop-button").click();
  });
});
