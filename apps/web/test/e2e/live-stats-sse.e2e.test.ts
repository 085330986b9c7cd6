// stats.live as the editor receives it: EventSource in a real browser, through Next's route
// handler (`next start`), against a flow the real engine runs. Checks the transport the canvas's
// live counters depend on; the canvas itself is covered by the stories.
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";

const b = useBrowser();

interface Snapshot {
  deployment: { actualState: string } | null;
  nodes: { nodeId: string; recordsOut: number; outPerSec: number | null }[];
  edges: { edgeId: string; perSec: number | null }[];
}

describe("stats.live over server-sent events", () => {
  it("streams live stats through next start about once a second", async () => {
    const { id: flowId } = await b.api<{ id: string }>(
      "flow.create",
      {
        name: "e2e live sse",
        nodes: [
          { id: "gen", kind: "source", type: "generator", config: { intervalMs: 50 } },
          { id: "double", kind: "function", type: "function", config: { code: "export default (r) => r" } },
          { id: "out", kind: "sink", type: "log" },
        ],
        edges: [
          { id: "e1", from: { node: "gen", port: "out" }, to: { node: "double" } },
          { id: "e2", from: { node: "double", port: "out" }, to: { node: "out" } },
        ],
      },
      "POST",
    );
    await b.api("deployment.deploy", { flowId }, "POST");
    try {
      await b.page.goto(b.url);
      const input = encodeURIComponent(JSON.stringify({ flowId }));
      // In the page, so the request goes the way the editor's does: same origin, EventSource.
      const { snapshots, elapsedMs } = await b.page.evaluate(
        async ({ input }) =>
          new Promise<{ snapshots: unknown[]; elapsedMs: number }>((resolve, reject) => {
            const snapshots: unknown[] = [];
            const started = performance.now();
            const source = new EventSource(`/api/trpc/stats.live?input=${input}`);
            const timer = setTimeout(() => {
              source.close();
              reject(new Error(`only ${snapshots.length} snapshots in 20 s: ${JSON.stringify(snapshots)}`));
            }, 20_000);
            source.onmessage = (event: MessageEvent<string>) => {
              const snapshot = JSON.parse(event.data) as {
                nodes: { nodeId: string; outPerSec: number | null }[];
              };
              snapshots.push(snapshot);
              const gen = snapshot.nodes.find((n) => n.nodeId === "gen");
              if (snapshots.length >= 4 && gen?.outPerSec) {
                clearTimeout(timer);
                source.close();
                resolve({ snapshots, elapsedMs: performance.now() - started });
              }
            };
          }),
        { input },
      );
      await b.shot("after streaming");
      const typed = snapshots as Snapshot[];
      const last = typed.at(-1);
      expect(last?.deployment?.actualState).toBe("running");
      const outs = typed.map((s) => s.nodes.find((n) => n.nodeId === "gen")?.recordsOut ?? 0);
      expect(outs.at(-1)).toBeGreaterThan(outs[0] ?? 0);
      // 20 records a second from the generator; a busy machine may be slower, never idle.
      expect(last?.nodes.find((n) => n.nodeId === "gen")?.outPerSec).toBeGreaterThan(2);
      expect(last?.edges.find((e) => e.edgeId === "e1")?.perSec).toBeGreaterThan(2);
      // At least once a second: 4 snapshots arrive in well under 4 s plus start-up.
      expect(elapsedMs / typed.length).toBeLessThan(1500);
    } finally {
      await b.api("deployment.stop", { flowId }, "POST");
    }
  });
});
