import { z } from "zod";
import { findDeployment, requireFlow } from "../lookups";
import { sumNodeStats } from "../node-stats";
import { createTRPCRouter, publicProcedure } from "../trpc";
import { readSpec, toDeploymentStatus } from "../views";

export const statsRouter = createTRPCRouter({
  /**
   * Per-node counters and user metrics (ctx.metrics) of the flow's newest deployment (or the
   * given one), summed over engines. On the Kafka transport each node has its consumer `lag`;
   * `partitions: true` adds the lag by topic partition.
   */
  get: publicProcedure
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
});
