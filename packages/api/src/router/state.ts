import { TRPCError } from "@trpc/server";
import { fromStorableJson, storableText, toStorableJson } from "@weir/db";
import { idSchema, jsonValueSchema } from "@weir/domain";
import { z } from "zod";
import type { DbClient } from "../lookups";
import { findDeployment, requireVersion } from "../lookups";
import { createTRPCRouter, editorProcedure, viewerProcedure } from "../trpc";
import { iso } from "../views";

const byNode = z.object({ flowId: z.uuid(), nodeId: idSchema });
const stateKey = z.string().min(1, "must not be empty").max(1024, "must be at most 1024 characters");

/** Refuses a node the flow's latest version does not have as a function. */
async function requireFunctionNode(db: DbClient, flowId: string, nodeId: string): Promise<void> {
  const latest = await requireVersion(db, flowId);
  const node = latest.spec.nodes.find((n) => n.id === nodeId);
  if (node?.kind === "function") return;
  throw new TRPCError({
    code: "BAD_REQUEST",
    message: `'${nodeId}' is ${node ? `a '${node.type}' node` : "not a node"} in version ${String(latest.version)} of flow ${flowId}; only function nodes keep state`,
  });
}

/**
 * Under exactly-once delivery a node's state lives in its Kafka changelog, written in the
 * transactions of its batches; the rows here are a view of it (apps/engine
 * flow/exactly-once-state.ts), so an edit would change nothing the function sees.
 */
async function requireEditable(db: DbClient, flowId: string): Promise<void> {
  const latest = await requireVersion(db, flowId);
  if (latest.spec.delivery !== "exactly-once") return;
  throw new TRPCError({
    code: "BAD_REQUEST",
    message:
      'the state of a flow with delivery "exactly-once" lives in its Kafka changelog; what is shown here is a read-only view of it',
  });
}

/**
 * A running engine keeps a node's state cached (function-state-store.ts) and would not see an
 * edit, then overwrite it; so state is edited only while the flow does not run.
 */
async function requireNotRunning(db: DbClient, flowId: string): Promise<void> {
  const deployment = await findDeployment(db, flowId);
  if (!deployment) return;
  const stopped =
    deployment.desiredState === "stopped" &&
    (deployment.actualState === "stopped" || deployment.actualState === "failed");
  if (stopped) return;
  throw new TRPCError({
    code: "CONFLICT",
    message: "stop the flow first: a running engine keeps its state cached and would not see the change",
  });
}

export const stateRouter = createTRPCRouter({
  /** A function node's durable state (ctx.state): keys containing `search`, by key, with when each was last written. */
  list: viewerProcedure
    .input(
      byNode.extend({
        search: z.string().max(1024).optional(),
        limit: z.number().int().min(1).max(1000).default(200),
      }),
    )
    .query(async ({ ctx, input }) => {
      await requireFunctionNode(ctx.db, input.flowId, input.nodeId);
      const search = input.search?.trim() ?? "";
      const where = {
        flowId: input.flowId,
        nodeId: input.nodeId,
        ...(search !== "" ? { key: { contains: storableText(search), mode: "insensitive" as const } } : {}),
      };
      const [rows, total] = await Promise.all([
        ctx.db.functionState.findMany({ where, orderBy: { key: "asc" }, take: input.limit }),
        ctx.db.functionState.count({ where }),
      ]);
      return {
        total,
        entries: rows.map((row) => ({
          key: row.key,
          value: fromStorableJson(row.value) as z.infer<typeof jsonValueSchema>,
          updatedAt: iso(row.updatedAt),
        })),
      };
    }),

  /** Sets one key of a function node's state to a JSON value (only while the flow does not run). */
  set: editorProcedure
    .input(byNode.extend({ key: stateKey, value: jsonValueSchema }))
    .mutation(async ({ ctx, input }) => {
      await requireFunctionNode(ctx.db, input.flowId, input.nodeId);
      await requireEditable(ctx.db, input.flowId);
      await requireNotRunning(ctx.db, input.flowId);
      const key = storableText(input.key);
      const value = toStorableJson(input.value);
      const row = await ctx.db.functionState.upsert({
        where: { flowId_nodeId_key: { flowId: input.flowId, nodeId: input.nodeId, key } },
        create: { flowId: input.flowId, nodeId: input.nodeId, key, value },
        update: { value },
      });
      return { key: row.key, updatedAt: iso(row.updatedAt) };
    }),

  /** Deletes one key of a function node's state (only while the flow does not run). */
  delete: editorProcedure.input(byNode.extend({ key: stateKey })).mutation(async ({ ctx, input }) => {
    await requireFunctionNode(ctx.db, input.flowId, input.nodeId);
    await requireEditable(ctx.db, input.flowId);
    await requireNotRunning(ctx.db, input.flowId);
    const { count } = await ctx.db.functionState.deleteMany({
      where: { flowId: input.flowId, nodeId: input.nodeId, key: storableText(input.key) },
    });
    if (count === 0) throw new TRPCError({ code: "NOT_FOUND", message: `no state key '${input.key}'` });
    return { deleted: input.key };
  }),
});
