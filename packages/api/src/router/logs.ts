import { TRPCError } from "@trpc/server";
import { logSinkNodeType } from "@weir/connectors/definitions";
import { idSchema } from "@weir/domain";
import { z } from "zod";
import { requireVersion } from "../lookups";
import { createTRPCRouter, publicProcedure } from "../trpc";
import { iso } from "../views";

export const logsRouter = createTRPCRouter({
  /** The newest records a `log` sink kept, oldest first so they read like a log. */
  read: publicProcedure
    .input(
      z.object({
        flowId: z.uuid(),
        nodeId: idSchema,
        limit: z.number().int().min(1).max(1000).default(100),
      }),
    )
    .query(async ({ ctx, input }) => {
      const latest = await requireVersion(ctx.db, input.flowId);
      const node = latest.spec.nodes.find((n) => n.id === input.nodeId);
      if (node?.type !== logSinkNodeType.type) {
        const what = node ? `a '${node.type}' node` : "not a node";
        throw new TRPCError({
          code: "BAD_REQUEST",
          message: `'${input.nodeId}' is ${what} in version ${latest.version} of flow ${input.flowId}; only '${logSinkNodeType.type}' sinks keep records`,
        });
      }
      const rows = await ctx.db.sinkLogEntry.findMany({
        where: { flowId: input.flowId, nodeId: input.nodeId },
        orderBy: { id: "desc" },
        take: input.limit,
      });
      return rows
        .reverse()
        .map((row) => ({ id: Number(row.id), record: row.record, createdAt: iso(row.createdAt) }));
    }),
});
