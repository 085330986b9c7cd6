import { createTRPCRouter, publicProcedure } from "../trpc";
import { afterTimeAndId, cursors, pageInput } from "../pagination";
import { LIVENESS_WINDOW_MS, iso } from "../views";

export const engineRouter = createTRPCRouter({
  /** Engine processes that have registered; `alive` when one heartbeat arrived recently. */
  list: publicProcedure.input(pageInput(cursors.timeAndText)).query(async ({ ctx, input }) => {
    const rows = await ctx.db.engineInstance.findMany({
      where: afterTimeAndId(input.cursor, { time: "startedAt", id: "id" }, "asc"),
      orderBy: [{ startedAt: "asc" }, { id: "asc" }],
      take: input.limit,
    });
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
