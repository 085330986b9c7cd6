// Issue #11, part B: edge peek on a running flow. http-ingest → function → log, deployed from
// the editor; records POSTed to the URL the inspector shows. Clicking the function's outgoing
// edge opens the peek: the records sent after it opened appear, newest first, and a later POST
// shows up live; the edge's rate is shown. The engine samples the edge only while the panel is
// open (its weir_edge_peeks_watched gauge), and the edge can be opened with the keyboard.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { seriousViolations } from "./axe";
import { useBrowser } from "./browser";
import { deployIngestFlow } from "./ingest-flow";
import { byTestId, clickEdge, focusedTestId, tabTo } from "./editor-actions";

const b = useBrowser();

const DOUBLE =
  "export default (r) => ({ key: 'n' + r.value.n, value: { n: r.value.n, doubled: r.value.n * 2 } })";

const shownValues = (page: Page): Promise<{ n: number; doubled: number }[]> =>
  byTestId(page, "edge-peek-value").evaluateAll((els) =>
    els.map((el) => JSON.parse(el.textContent) as { n: number; doubled: number }),
  );

/** Edges the engine samples now, from its /metrics. */
async function watched(engineOrigin: string): Promise<number> {
  const text = await (await fetch(`${engineOrigin}/metrics`)).text();
  const match = /^weir_edge_peeks_watched(?:\{[^}]*\})? (\d+)$/m.exec(text);
  if (!match) throw new Error("no weir_edge_peeks_watched in the engine's /metrics");
  return Number(match[1]);
}

describe("edge peek", () => {
  it("shows the records crossing a clicked edge live, with its rate, and stops sampling when closed", async () => {
    const page = b.page;
    const { ingestUrl, post } = await deployIngestFlow(b, {
      name: "e2e edge peek",
      ingestName: "orders in",
      fn: { id: "double", code: DOUBLE },
    });
    const engine = new URL(ingestUrl).origin;
    const send = (values: unknown[]): Promise<void> => post(JSON.stringify(values), "application/json");
    // Sent while nobody watches: never shown, and the engine samples nothing.
    await send([{ n: 1 }]);
    expect(await watched(engine)).toBe(0);

    // The inspector has widened for the node: fit the flow into what is left, as a person would.
    await byTestId(page, "fit-view-button").click();
    await clickEdge(page, "e2");
    await byTestId(page, "edge-peek").waitFor();
    expect(await byTestId(page, "edge-peek").getAttribute("aria-label")).toBe("Edge peek: double → log");
    await byTestId(page, "edge-peek-empty").waitFor();
    expect(await watched(engine)).toBe(1);

    await send([{ n: 2 }, { n: 3 }, { n: 4 }]);
    await expect
      .poll(() => shownValues(page), { timeout: 10_000 })
      .toEqual([
        { n: 4, doubled: 8 },
        { n: 3, doubled: 6 },
        { n: 2, doubled: 4 },
      ]);
    // A record sent now appears on top without any click: the panel updates live.
    await send([{ n: 5 }]);
    await expect
      .poll(async () => (await shownValues(page))[0], { timeout: 10_000 })
      .toEqual({ n: 5, doubled: 10 });
    expect(await byTestId(page, "edge-peek-key").first().textContent()).toBe("n5");
    expect(await byTestId(page, "edge-peek-total").textContent()).toBe("4");
    // 4 records within the last few seconds: a rate above zero, in records per second.
    const rate = (await byTestId(page, "edge-peek-rate").textContent()) ?? "";
    expect(rate).toMatch(/^\d+(\.\d)?\/s$/);
    expect(Number.parseFloat(rate)).toBeGreaterThan(0);
    await b.shot("edge peek");
    expect(await seriousViolations(page)).toEqual([]);

    // Closing the panel ends the lease: the engine stops sampling at once.
    await byTestId(page, "edge-peek-close").click();
    await expect.poll(() => byTestId(page, "edge-peek").count()).toBe(0);
    await expect.poll(() => watched(engine), { timeout: 5_000 }).toBe(0);

    // The keyboard reaches it too: Tab to the edge, Enter selects it and opens the peek.
    await tabTo(page, "rf__edge-e2", { back: true });
    expect(await focusedTestId(page)).toBe("rf__edge-e2");
    await page.keyboard.press("Enter");
    await byTestId(page, "edge-peek").waitFor();
    await tabTo(page, "edge-peek-close");
    await page.keyboard.press("Enter");
    await expect.poll(() => byTestId(page, "edge-peek").count()).toBe(0);

    await byTestId(page, "stop-button").click();
  });
});
