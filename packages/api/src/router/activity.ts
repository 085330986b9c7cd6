import { STALE_AFTER_MS } from "../live-rates";
import { createTRPCRouter, viewerProcedure } from "../trpc";

/** How far back "failed in the last minute" looks. */
const RECENT_MS = 60_000;

interface SpecNode {
  id?: unknown;
  kind?: unknown;
}

/** The ids of a stored spec's source nodes: records/s into a flow is what its sources emit. */
function sourceIds(spec: unknown): Set<string> {
  const nodes = typeof spec === "object" && spec !== null ? (spec as { nodes?: unknown }).nodes : undefined;
  if (!Array.isArray(nodes)) return new Set();
  return new Set(
    (nodes as SpecNode[]).flatMap((n) => (n.kind === "source" && typeof n.id === "string" ? [n.id] : [])),
  );
}

export const activityRouter = createTRPCRouter({
  /**
   * What the flows list shows live, per flow that has any: records per second its sources emit
   * (running deployments, engines that reported in the last 5 s), records dead-lettered in the
   * last minute, and dead letters not yet replayed.
   */
  flows: viewerProcedure.query(async ({ ctx }) => {
    const now = Date.now();
    const [running, recent, waiting] = await Promise.all([
      ctx.db.deployment.findMany({
        where: { desiredState: "running" },
        select: { id: true, flowId: true, flowVersion: { select: { spec: true } } },
      }),
      ctx.db.deadLetter.groupBy({
        by: ["flowId"],
        where: { createdAt: { gte: new Date(now - RECENT_MS) } },
        _count: { _all: true },
      }),
      ctx.db.deadLetter.groupBy({ by: ["flowId"], where: { replayedAt: null }, _count: { _all: true } }),
    ]);
    const stats = await ctx.db.nodeStats.findMany({
      where: {
        deploymentId: { in: running.map((d) => d.id) },
        updatedAt: { gte: new Date(now - STALE_AFTER_MS) },
      },
      select: { deploymentId: true, nodeId: true, rate: true },
    });
    const byFlow = new Map<
      string,
      { recordsPerSec: number; failedLastMinute: number; deadLetters: number }
    >();
    const entry = (flowId: string) => {
      let e = byFlow.get(flowId);
      if (!e) byFlow.set(flowId, (e = { recordsPerSec: 0, failedLastMinute: 0, deadLetters: 0 }));
      return e;
    };
    for (const deployment of running) {
      const sources = sourceIds(deployment.flowVersion.spec);
      const rate = stats
        .filter((s) => s.deploymentId === deployment.id && sources.has(s.nodeId))
        .reduce((sum, s) => sum + s.rate, 0);
      entry(deployment.flowId).recordsPerSec += rate;
    }
    for (const row of recent) entry(row.flowId).failedLastMinute = row._count._all;
    for (const row of waiting) entry(row.flowId).deadLetters = row._count._all;
    return [...byFlow].map(([flowId, e]) => ({ flowId, ...e }));
  }),
});
