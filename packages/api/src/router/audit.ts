// The audit log for admins, newest first, filterable by user, flow and time.
import { z } from "zod";
import { cursors, pageFields } from "../pagination";
import { adminProcedure, createTRPCRouter } from "../trpc";
import { iso } from "../views";

export const auditRouter = createTRPCRouter({
  list: adminProcedure
    .input(
      z
        .object({
          ...pageFields(cursors.bigintId),
          /** A user's id or email. */
          user: z.string().max(254).optional(),
          flowId: z.string().max(100).optional(),
          action: z.string().max(100).optional(),
          from: z.iso.datetime().optional(),
          to: z.iso.datetime().optional(),
        })
        .default({}),
    )
    .query(async ({ ctx, input }) => {
      const before = input.cursor === undefined ? undefined : BigInt(input.cursor);
      const rows = await ctx.db.auditEvent.findMany({
        where: {
          ...(input.user ? { OR: [{ userId: input.user }, { email: input.user.toLowerCase() }] } : {}),
          ...(input.flowId ? { flowId: input.flowId } : {}),
          ...(input.action ? { action: input.action } : {}),
          ...(input.from || input.to
            ? {
                at: {
                  ...(input.from ? { gte: new Date(input.from) } : {}),
                  ...(input.to ? { lte: new Date(input.to) } : {}),
                },
              }
            : {}),
          ...(before !== undefined ? { id: { lt: before } } : {}),
        },
        orderBy: { id: "desc" },
        take: input.limit ?? 200,
      });
      return rows.map((row) => ({
        id: row.id.toString(),
        at: iso(row.at),
        userId: row.userId,
        email: row.email,
        tokenId: row.tokenId,
        action: row.action,
        flowId: row.flowId,
        target: row.target,
        outcome: row.outcome,
      }));
    }),
});
