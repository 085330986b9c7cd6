// stats.live: the editor's once-a-second view of a running flow, in-process and as server-sent
// events over HTTP. Engines are simulated by writing node_stats rows as their flushes would.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { LiveStatsSnapshot } from "../live-stats";
import { createCaller } from "../index";
import { demoFlow, useTestApi } from "../../test/db";
import { testAdmin } from "../../test/principals";
import { openSse, withInput } from "../../test/http";

const t = useTestApi();

/** A deployed demo flow whose engine "e1" reports it running. */
async function runningFlow(name: string): Promise<{ flowId: string; deploymentId: string }> {
  const { id: flowId } = await t.api.flow.create(demoFlow(name));
  const { id: deploymentId } = await t.api.deployment.deploy({ flowId });
  await t.db.deployment.update({
    where: { id: deploymentId },
    data: { actualState: "running", engineId: "e1", startedAt: new Date() },
  });
  return { flowId, deploymentId };
}

/** Writes one engine flush of `gen` → `double` → `out` with `n` records through, dated `at`. */
async function flush(deploymentId: string, n: number, at: Date): Promise<void> {
  const counts = { gen: [0, n], double: [n, n], out: [n, n] } as const;
  for (const [nodeId, [recordsIn, recordsOut]] of Object.entries(counts)) {
    const values = { recordsIn: BigInt(recordsIn), recordsOut: BigInt(recordsOut), updatedAt: at };
    await t.db.nodeStats.upsert({
      where: { deploymentId_nodeId_engineId: { deploymentId, nodeId, engineId: "e1" } },
      create: { deploymentId, nodeId, engineId: "e1", ...values },
      update: values,
    });
  }
}

const node = (s: LiveStatsSnapshot, id: string) => s.nodes.find((n) => n.nodeId === id);

describe("stats.live", () => {
  it("yields a snapshot per interval with totals, per-second rates between flushes, edges and status", async () => {
    const { flowId, deploymentId } = await runningFlow("live");
    const start = Date.now();
    await flush(deploymentId, 100, new Date(start - 1000));

    const abort = new AbortController();
    const caller = createCaller({ principal: testAdmin, db: t.db }, { signal: abort.signal });
    const live = await caller.stats.live({ flowId, intervalMs: 200 });
    const seen: LiveStatsSnapshot[] = [];
    for await (const snapshot of live) {
      seen.push(snapshot);
      if (seen.length === 1) await flush(deploymentId, 150, new Date(start)); // 50 more in 1 s
      if (node(snapshot, "gen")?.outPerSec !== null && node(snapshot, "gen")?.outPerSec !== undefined) break;
      if (seen.length > 20) throw new Error("no rate after 20 snapshots");
    }
    abort.abort();

    const [first, last] = [seen[0], seen.at(-1)];
    expect(first?.deployment).toMatchObject({ id: deploymentId, actualState: "running", version: 1 });
    expect(first && node(first, "double")).toMatchObject({ recordsIn: 100, inPerSec: null, backlog: null });
    expect(last && node(last, "gen")).toMatchObject({ recordsOut: 150, outPerSec: 50 });
    expect(last && node(last, "double")).toMatchObject({ recordsIn: 150, inPerSec: 50, outPerSec: 50 });
    expect(last?.edges).toEqual([
      { edgeId: "e1", perSec: 50, total: 150 },
      { edgeId: "e2", perSec: 50, total: 150 },
    ]);
    // Snapshots come about once per interval, not as fast as the loop can spin.
    const times = seen.map((s) => Date.parse(s.at));
    for (let i = 1; i < times.length; i++)
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(190);
  });

  it("follows a redeploy and shows a stopped deployment with zero rates", async () => {
    const { flowId, deploymentId } = await runningFlow("live-redeploy");
    const abort = new AbortController();
    const live = await createCaller({ principal: testAdmin, db: t.db }, { signal: abort.signal }).stats.live({
      flowId,
      intervalMs: 200,
    });
    const states: string[] = [];
    let changed = false;
    for await (const snapshot of live) {
      states.push(
        `${snapshot.deployment?.id === deploymentId ? "old" : "new"}:${snapshot.deployment?.actualState}`,
      );
      if (!changed) {
        changed = true;
        await t.api.deployment.deploy({ flowId }); // a new deployment, pending
      } else if (snapshot.deployment?.id !== deploymentId) {
        expect(snapshot.nodes.every((n) => n.inPerSec === null || n.inPerSec === 0)).toBe(true);
        break;
      }
    }
    abort.abort();
    expect(states[0]).toBe("old:running");
    expect(states.at(-1)).toBe("new:pending");
  });

  it("yields an empty snapshot for a flow never deployed, and refuses an unknown flow", async () => {
    const { id: flowId } = await t.api.flow.create(demoFlow("never"));
    const abort = new AbortController();
    const live = await createCaller({ principal: testAdmin, db: t.db }, { signal: abort.signal }).stats.live({
      flowId,
    });
    for await (const snapshot of live) {
      expect(snapshot).toMatchObject({ deployment: null, nodes: [], edges: [] });
      break;
    }
    abort.abort();

    const missing = randomUUID();
    const subscription = await t.api.stats.live({ flowId: missing });
    await expect(
      (async () => {
        for await (const _ of subscription) return;
      })(),
    ).rejects.toMatchObject({ code: "NOT_FOUND", message: `flow ${missing} not found` });
  });

  it("streams as server-sent events over HTTP, one data event per snapshot, until the client leaves", async () => {
    const { flowId, deploymentId } = await runningFlow("live-http");
    await flush(deploymentId, 7, new Date());
    const sse = await openSse(t.db, withInput("stats.live", { flowId, intervalMs: 200 }));
    expect(sse.status).toBe(200);
    expect(sse.contentType).toContain("text/event-stream");
    const snapshots: LiveStatsSnapshot[] = [];
    while (snapshots.length < 2) {
      const event = await sse.next();
      if (event === null) throw new Error("the stream ended early");
      if (event.event === null) snapshots.push(event.data as LiveStatsSnapshot);
    }
    sse.close();
    expect(snapshots[1]?.deployment?.id).toBe(deploymentId);
    expect(snapshots[1] && node(snapshots[1], "out")).toMatchObject({ recordsIn: 7 });
  });
});
