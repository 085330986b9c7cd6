import { createTRPCRouter, publicProcedure } from "../trpc";
import { LIVENESS_WINDOW_MS, iso } from "../views";

export const engineRouter = createTRPCRouter({
  /** Engine processes that have registered; `alive` when one heartbeat arrived recently. */
  list: publicProcedure.query(async ({ ctx }) => {
    const rows = await ctx.db.engineInstance.findMany({ orderBy: { startedAt: "asc" } });
    const now = Date.now();
    return rows.map((row) => ({
      id: row.id,
      ingestUrl: row.ingestUrl,
      startedAt: iso(row.startedAt),
      heartbeatAt: iso(row.heartbeatAt),
      alive: now - row.heartbeatAt.getTime() < LIVENESS_WINDOW_MS,
    }));
  }),
});
