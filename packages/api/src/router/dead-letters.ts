import type { Prisma } from "@weir/db";
import { storedJsonView } from "@weir/db";
import { idSchema } from "@weir/domain";
import { z } from "zod";
import { requireFlow } from "../lookups";
import { cursors } from "../pagination";
import { createTRPCRouter, editorProcedure, viewerProcedure } from "../trpc";
import { iso, isoOrNull } from "../views";

/**
 * Where a dead letter is in its replay: `pending` (nobody asked), `replay-requested` (waiting for
 * the engine running the flow), `replayed` (fed back into its node; a new failure is a new row).
 */
const deadLetterStatus = z.enum(["pending", "replay-requested", "replayed"]);
type DeadLetterStatus = z.infer<typeof deadLetterStatus>;

const statusFilter: Record<DeadLetterStatus, Prisma.DeadLetterWhereInput> = {
  pending: { replayRequestedAt: null, replayedAt: null },
  "replay-requested": { replayRequestedAt: { not: null }, replayedAt: null },
  replayed: { replayedAt: { not: null } },
};

/** Dead-letter ids are BIGSERIALs: sent as numbers (what list returns) or as digit strings. */
const deadLetterId = z.union([
  z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  z.string().regex(/^[1-9][0-9]{0,17}$/, "must be a positive integer"),
]);

export const deadLettersRouter = createTRPCRouter({
  /** Records the flow's nodes gave up on, newest first. */
  list: viewerProcedure
    .input(
      z.object({
        flowId: z.uuid(),
        nodeId: idSchema.optional(),
        status: deadLetterStatus.optional(),
        limit: z.number().int().min(1).max(1000).default(100),
        cursor: cursors.bigintId.optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      await requireFlow(ctx.db, input.flowId);
      const rows = await ctx.db.deadLetter.findMany({
        where: {
          flowId: input.flowId,
          ...(input.cursor === undefined ? {} : { id: { lt: BigInt(input.cursor) } }),
          ...(input.nodeId === undefined ? {} : { nodeId: input.nodeId }),
          ...(input.status === undefined ? {} : statusFilter[input.status]),
        },
        orderBy: { id: "desc" },
        take: input.limit,
      });
      return rows.map((row) => ({
        id: Number(row.id),
        deploymentId: row.deploymentId,
        flowVersionId: row.flowVersionId,
        nodeId: row.nodeId,
        // Stored wrapped when Postgres could not hold it as given (`toStorableJson`); a byte
        // value is given as `{ "$bytes": "<base64>", "length": n }` (see @weir/domain byte-json).
        record: storedJsonView(row.record) as typeof row.record,
        error: row.error,
        attempts: row.attempts,
        createdAt: iso(row.createdAt),
        replayRequestedAt: isoOrNull(row.replayRequestedAt),
        replayedAt: isoOrNull(row.replayedAt),
      }));
    }),

  /**
   * Asks the engine running the flow to feed these dead letters back into their nodes. Ids of
   * other flows and letters already replayed are skipped; `requested` counts the rest. Asking
   * again for a letter still waiting just renews its request time.
   */
  replay: editorProcedure
    .input(z.object({ flowId: z.uuid(), ids: z.array(deadLetterId).min(1).max(1000) }))
    .mutation(async ({ ctx, input }) => {
      await requireFlow(ctx.db, input.flowId);
      const { count } = await ctx.db.deadLetter.updateMany({
        where: { flowId: input.flowId, id: { in: input.ids.map((id) => BigInt(id)) }, replayedAt: null },
        data: { replayRequestedAt: new Date() },
      });
      return { requested: count };
    }),
});
