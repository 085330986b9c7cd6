import { TRPCError } from "@trpc/server";
import { logSinkNodeType } from "@weir/connectors/definitions";
import { storedJsonView } from "@weir/db";
import { idSchema } from "@weir/domain";
import type { FlowNode, NodeKind } from "@weir/domain";
import { z } from "zod";
import type { DbClient } from "../lookups";
import { requireVersion } from "../lookups";
import { createTRPCRouter, viewerProcedure } from "../trpc";
import { iso } from "../views";

const byNode = z.object({
  flowId: z.uuid(),
  nodeId: idSchema,
  limit: z.number().int().min(1).max(1000).default(100),
  /**
   * A tail's cursor: the id of the last entry the caller has. Given, the answer is the entries
   * after it, oldest first, at most `limit` (ask again from the last one while a page is full).
   */
  afterId: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
});

/** Newest `limit` entries, or (for a tail) the first `limit` after the cursor; oldest first either way. */
function page(input: z.infer<typeof byNode>): {
  where: { flowId: string; nodeId: string; id?: { gt: bigint; gte?: bigint } };
  orderBy: { id: "asc" | "desc" };
  take: number;
  newestFirst: boolean;
} {
  const where = { flowId: input.flowId, nodeId: input.nodeId };
  if (input.afterId === undefined) {
    return { where, orderBy: { id: "desc" }, take: input.limit, newestFirst: true };
  }
  return {
    where: { ...where, id: { gt: BigInt(input.afterId) } },
    orderBy: { id: "asc" },
    take: input.limit,
    newestFirst: false,
  };
}

/**
 * A node the flow's latest version does not have, or has as another kind, has no such log:
 * NOT_FOUND, like a flow that does not exist.
 */
async function requireNode(
  db: DbClient,
  flowId: string,
  nodeId: string,
  wanted: { kind: NodeKind; type?: string; keeps: string },
): Promise<FlowNode> {
  const latest = await requireVersion(db, flowId);
  const node = latest.spec.nodes.find((n) => n.id === nodeId);
  if (node?.kind === wanted.kind && (wanted.type === undefined || node.type === wanted.type)) return node;
  const what = node ? `a '${node.type}' node` : "not a node";
  throw new TRPCError({
    code: "NOT_FOUND",
    message: `'${nodeId}' is ${what} in version ${latest.version} of flow ${flowId}; ${wanted.keeps}`,
  });
}

export const logsRouter = createTRPCRouter({
  /** The newest records a `log` sink kept, oldest first so they read like a log. */
  read: viewerProcedure.input(byNode).query(async ({ ctx, input }) => {
    const node = await requireNode(ctx.db, input.flowId, input.nodeId, {
      kind: "sink",
      type: logSinkNodeType.type,
      keeps: `only '${logSinkNodeType.type}' sinks keep records`,
    });
    const { newestFirst, ...query } = page(input);
    // The engine trims a sink's rows back to `keep` only every so often (its retained store's
    // trimSlack), so the table can hold more: only the newest `keep` (of the latest version's
    // config) are the sink's log.
    const keep = logSinkNodeType.configSchema.safeParse(node.config).data?.keep;
    if (keep !== undefined && newestFirst) query.take = Math.min(query.take, keep);
    if (keep !== undefined && !newestFirst) {
      const oldestKept = await ctx.db.sinkLogEntry.findFirst({
        where: { flowId: input.flowId, nodeId: input.nodeId },
        orderBy: { id: "desc" },
        skip: keep - 1,
        select: { id: true },
      });
      if (oldestKept && query.where.id) query.where.id.gte = oldestKept.id;
    }
    const rows = await ctx.db.sinkLogEntry.findMany(query);
    if (newestFirst) rows.reverse();
    // A record Postgres could not hold as given was stored wrapped (`toStorableJson`): give it back
    // as sent, a byte value as `{ "$bytes": "<base64>", "length": n }` (see @weir/domain byte-json).
    return rows.map((row) => ({
      id: Number(row.id),
      record: storedJsonView(row.record) as typeof row.record,
      createdAt: iso(row.createdAt),
    }));
  }),

  /** The newest lines a function node wrote with ctx.log (on any engine), oldest first. */
  function: viewerProcedure.input(byNode).query(async ({ ctx, input }) => {
    await requireNode(ctx.db, input.flowId, input.nodeId, {
      kind: "function",
      keeps: "only function nodes write function logs",
    });
    const { newestFirst, ...query } = page(input);
    const rows = await ctx.db.functionLogEntry.findMany(query);
    if (newestFirst) rows.reverse();
    return rows.map((row) => ({
      id: Number(row.id),
      instance: row.instance,
      level: row.level,
      message: row.message,
      /** The trace of the record the function was processing, when it was sampled (trace.get opens it). */
      traceId: row.traceId,
      createdAt: iso(row.createdAt),
    }));
  }),
});
