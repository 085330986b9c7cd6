import { setTimeout as sleep } from "node:timers/promises";
import { builtinRegistry } from "@weir/connectors/definitions";
import type { FlowSpec } from "@weir/domain";
import { z } from "zod";
import type { LiveReading, LiveStatsSnapshot } from "../live-stats";
import { LiveStatsTracker } from "../live-stats";
import type { DbClient } from "../lookups";
import { findDeployment, requireFlow } from "../lookups";
import { sumNodeStats } from "../node-stats";
import { createTRPCRouter, viewerProcedure } from "../trpc";
import { readSpec, toDeploymentStatus } from "../views";

/** The newest deployment of a flow with its spec and stats rows; specs are cached, versions never change. */
async function readLive(
  db: DbClient,
  flowId: string,
  specs: Map<string, FlowSpec>,
): Promise<LiveReading | null> {
  const deployment = await findDeployment(db, flowId);
  if (!deployment) return null;
  let spec = specs.get(deployment.flowVersionId);
  if (!spec) {
    const version = await db.flowVersion.findUniqueOrThrow({
      where: { id: deployment.flowVersionId },
      select: { spec: true },
    });
    spec = readSpec(version.spec, `deployment ${deployment.id}`);
    specs.set(deployment.flowVersionId, spec);
  }
  const rows = await db.nodeStats.findMany({ where: { deploymentId: deployment.id } });
  return { deployment: toDeploymentStatus(deployment), spec, rows };
}

export const statsRouter = createTRPCRouter({
  /**
   * Per-node counters and user metrics (ctx.metrics) of the flow's newest deployment (or the
   * given one), summed over engines. On the Kafka transport each node has its consumer `lag`;
   * `partitions: true` adds the lag by topic partition.
   */
  get: viewerProcedure
    .input(
      z.object({ flowId: z.uuid(), deploymentId: z.uuid().optional(), partitions: z.boolean().optional() }),
    )
    .query(async ({ ctx, input }) => {
      await requireFlow(ctx.db, input.flowId);
      const deployment = await findDeployment(ctx.db, input.flowId, input.deploymentId);
      if (!deployment) return { deployment: null, nodes: [] };
      const [version, rows] = await Promise.all([
        ctx.db.flowVersion.findUniqueOrThrow({
          where: { id: deployment.flowVersionId },
          select: { spec: true },
        }),
        ctx.db.nodeStats.findMany({ where: { deploymentId: deployment.id } }),
      ]);
      const spec = readSpec(version.spec, `deployment ${deployment.id}`);
      return {
        deployment: toDeploymentStatus(deployment),
        nodes: sumNodeStats(
          spec.nodes.map((node) => node.id),
          rows,
          new Date(),
          { partitions: input.partitions ?? false },
        ),
      };
    }),

  /**
   * The editor's live view (issue #6): a snapshot of the flow's newest deployment every
   * `intervalMs` (1 s by default) until the client goes away: per node totals, rates and errors,
   * per edge rate, and the deployment's status. Follows a redeploy on its own. Over HTTP it is
   * served as server-sent events (tRPC's httpSubscriptionLink, or EventSource on
   * `GET /api/trpc/stats.live?input=…`).
   */
  live: viewerProcedure
    .input(z.object({ flowId: z.uuid(), intervalMs: z.number().int().min(200).max(10_000).default(1000) }))
    .subscription(async function* ({ ctx, input, signal }): AsyncGenerator<LiveStatsSnapshot> {
      await requireFlow(ctx.db, input.flowId);
      const tracker = new LiveStatsTracker(builtinRegistry);
      const specs = new Map<string, FlowSpec>();
      while (!signal?.aborted) {
        yield tracker.snapshot(await readLive(ctx.db, input.flowId, specs), new Date());
        try {
          await sleep(input.intervalMs, undefined, { signal });
        } catch {
          return; // the client went away
        }
      }
    }),
});
