import { readEngineMemory } from "../engine-memory";
import { STALE_AFTER_MS } from "../live-rates";
import { createTRPCRouter, viewerProcedure } from "../trpc";
import { afterTimeAndId, cursors, pageInput } from "../pagination";
import { LIVENESS_WINDOW_MS, iso } from "../views";

export const engineRouter = createTRPCRouter({
  /**
   * Engine processes that have registered; `alive` when one heartbeat arrived recently. With
   * each: the deployments it runs (its own, and those whose nodes it reports stats for, as with
   * Kafka partitions shared between engines) and the records per second through its nodes.
   */
  list: viewerProcedure.input(pageInput(cursors.timeAndText)).query(async ({ ctx, input }) => {
    const now = Date.now();
    const [rows, stats] = await Promise.all([
      ctx.db.engineInstance.findMany({
        where: afterTimeAndId(input.cursor, { time: "startedAt", id: "id" }, "asc"),
        orderBy: [{ startedAt: "asc" }, { id: "asc" }],
        take: input.limit,
      }),
      ctx.db.nodeStats.findMany({
        where: { updatedAt: { gte: new Date(now - STALE_AFTER_MS) } },
        select: { engineId: true, deploymentId: true, rate: true },
      }),
    ]);
    const deployments = await ctx.db.deployment.findMany({
      where: {
        desiredState: "running",
        OR: [
          { engineId: { in: rows.map((r) => r.id) } },
          { id: { in: [...new Set(stats.map((s) => s.deploymentId))] } },
        ],
      },
      select: {
        id: true,
        flowId: true,
        engineId: true,
        actualState: true,
        flow: { select: { name: true } },
        flowVersion: { select: { version: true } },
      },
    });
    // Resident memory from each live engine's /metrics, asked in parallel, 1 s at most.
    const memory = await Promise.all(
      rows.map((row) =>
        now - row.heartbeatAt.getTime() < LIVENESS_WINDOW_MS
          ? readEngineMemory(row.ingestUrl)
          : Promise.resolve(null),
      ),
    );
    return rows.map((row, i) => {
      const mine = stats.filter((s) => s.engineId === row.id);
      const reported = new Set(mine.map((s) => s.deploymentId));
      return {
        id: row.id,
        ingestUrl: row.ingestUrl,
        /** The edge transport between its nodes: "in-process" or "kafka". */
        transport: row.transport,
        startedAt: iso(row.startedAt),
        heartbeatAt: iso(row.heartbeatAt),
        alive: now - row.heartbeatAt.getTime() < LIVENESS_WINDOW_MS,
        recordsPerSec: mine.reduce((sum, s) => sum + s.rate, 0),
        /** Resident memory in bytes, or null when the engine's /metrics did not answer. */
        memoryBytes: memory[i] ?? null,
        deployments: deployments
          .filter((d) => d.engineId === row.id || reported.has(d.id))
          .map((d) => ({
            id: d.id,
            flowId: d.flowId,
            flowName: d.flow.name,
            version: d.flowVersion.version,
            actualState: d.actualState,
          })),
      };
    });
  }),
});
