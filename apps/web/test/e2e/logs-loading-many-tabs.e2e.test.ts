// Regression (issue #11): the Logs tab sometimes stayed on "Loading…" for over 10 s. Every open
// editor tab held a server-sent-events stream (stats.live), i.e. one of the 6 connections a
// browser opens to one host; with six editors open in one browser the sixth had none left for
// its queries, so its logs (and everything else it asked for) never loaded. Now at most
// LIVE_STREAM_SLOTS (3) tabs stream at once; the others say so and stream once one is closed.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { byTestId, numberIn } from "./editor-actions";

const b = useBrowser();

const openEditor = async (page: Page, flowId: string): Promise<void> => {
  await page.goto(`${b.url}/flows/${flowId}`);
  await byTestId(page, "canvas").waitFor();
};

describe("logs with many editor tabs open", () => {
  it("loads the Logs of the sixth editor tab of one browser, and its live stats once a tab closes", async () => {
    const { id: flowId } = await b.api<{ id: string }>(
      "flow.create",
      {
        name: "e2e logs many tabs",
        nodes: [
          {
            id: "gen",
            kind: "source",
            type: "generator",
            position: { x: 40, y: 60 },
            config: { intervalMs: 100 },
          },
          { id: "out", kind: "sink", type: "log", position: { x: 340, y: 60 }, config: { keep: 50 } },
        ],
        edges: [{ id: "e1", from: { node: "gen", port: "out" }, to: { node: "out" } }],
      },
      "POST",
    );
    await b.api("deployment.deploy", { flowId }, "POST");
    try {
      // Five editors of the flow in other tabs of the same browser, then this one.
      const others: Page[] = [];
      for (let i = 0; i < 5; i++) {
        const tab = await b.page.context().newPage();
        await openEditor(tab, flowId);
        others.push(tab);
      }
      const page = b.page;
      await openEditor(page, flowId);

      // The story: pick the sink, open Logs, see its records (within the step timeout of 10 s).
      await byTestId(page, "node-out").click();
      await byTestId(page, "tab-logs").click();
      await byTestId(page, "logs-line").first().waitFor();
      expect(await byTestId(page, "logs-loading").count()).toBe(0);
      await b.shot("logs of the sixth tab");

      // Three tabs stream; the other three (this one among them) say why they show no live stats.
      const paused = async (): Promise<number> => {
        let count = 0;
        for (const tab of [...others, page]) count += await byTestId(tab, "live-paused").count();
        return count;
      };
      await expect.poll(paused, { message: "three of six tabs wait for a live stream" }).toBe(3);
      expect(await byTestId(page, "live-paused").count()).toBe(1);

      // Closing the three tabs that stream lets the three waiting ones stream.
      const streaming: Page[] = [];
      for (const tab of others) if ((await byTestId(tab, "live-paused").count()) === 0) streaming.push(tab);
      expect(streaming).toHaveLength(3);
      for (const tab of streaming) await tab.close();
      await byTestId(page, "live-paused").waitFor({ state: "detached" });
      await expect
        .poll(() => numberIn(byTestId(page, "node-out-stat-in")), {
          message: "the sink's live counter in this tab",
        })
        .toBeGreaterThan(0);
      await b.shot("live once a tab closed");
    } finally {
      await b.api("deployment.stop", { flowId }, "POST");
    }
  });
});
