import { idSchema } from "@weir/domain";
import { z } from "zod";
import { requireFlow } from "../lookups";
import { createTRPCRouter, publicProcedure } from "../trpc";
import { iso, isoOrNull } from "../views";

export const deadLettersRouter = createTRPCRouter({
  /** Records the flow's nodes gave up on, newest first. */
  list: publicProcedure
    .input(
      z.object({
        flowId: z.uuid(),
        nodeId: idSchema.optional(),
        limit: z.number().int().min(1).max(1000).default(100),
      }),
    )
    .query(async ({ ctx, input }) => {
      await requireFlow(ctx.db, input.flowId);
      const rows = await ctx.db.deadLetter.findMany({
        where: { flowId: input.flowId, ...(input.nodeId === undefined ? {} : { nodeId: input.nodeId }) },
        orderBy: { id: "desc" },
        take: input.limit,
      });
      return rows.map((row) => ({
        id: Number(row.id),
        deploymentId: row.deploymentId,
        flowVersionId: row.flowVersionId,
        nodeId: row.nodeId,
        record: row.record,
        error: row.error,
        attempts: row.attempts,
        createdAt: iso(row.createdAt),
        replayedAt: isoOrNull(row.replayedAt),
      }));
    }),
});
