import { TRPCError } from "@trpc/server";
import { builtinRegistry } from "@weir/connectors";
import type { Db } from "@weir/db";
import { ingestToken, rotateIngestToken } from "@weir/db";
import { errorMessage } from "@weir/domain";
import { z } from "zod";
import { notFound } from "../errors";
import { requireVersion } from "../lookups";
import { createTRPCRouter, editorProcedure } from "../trpc";

const byNode = z.object({ flowId: z.uuid(), nodeId: z.string().min(1).max(256) });

/** The node types whose POSTs to the engine need the node's token unless the node is public. */
const TOKEN_NODE_TYPES: readonly string[] = ["http-ingest", "http-request"];

/** The node in the flow's newest version, which must take POSTs (see above); whether it is public. */
async function requireIngestNode(db: Db, flowId: string, nodeId: string): Promise<{ public: boolean }> {
  const { spec, version } = await requireVersion(db, flowId);
  const node = spec.nodes.find((n) => n.id === nodeId);
  if (!node) throw notFound(`flow ${flowId} v${version} has no node ${nodeId}`);
  if (!TOKEN_NODE_TYPES.includes(node.type)) {
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `node ${nodeId} is a ${node.type} node, not ${TOKEN_NODE_TYPES.join(" or ")}`,
    });
  }
  const config = builtinRegistry.get(node.type)?.configSchema.safeParse(node.config);
  const data: unknown = config?.success ? config.data : undefined;
  return {
    public: typeof data === "object" && data !== null && (data as { public?: unknown }).public === true,
  };
}

/** A token read or made with WEIR_SECRET_KEY; a missing or wrong key is said as such. */
async function withKey(work: () => Promise<string>): Promise<string> {
  try {
    return await work();
  } catch (error) {
    throw new TRPCError({ code: "PRECONDITION_FAILED", message: errorMessage(error) });
  }
}

/**
 * The tokens `http-ingest` and `http-request` nodes require of every POST (`Authorization: Bearer <token>`) unless
 * the node is `public`. Editors see and rotate them; a rotation reaches the engine within a second.
 */
export const ingestRouter = createTRPCRouter({
  /** The node's current token (made on first use), and whether the node is public anyway. */
  token: editorProcedure.input(byNode).query(async ({ ctx, input }) => {
    const node = await requireIngestNode(ctx.db, input.flowId, input.nodeId);
    const token = await withKey(() => ingestToken(ctx.db, input.flowId, input.nodeId));
    return { flowId: input.flowId, nodeId: input.nodeId, token, public: node.public };
  }),

  /** Replaces the node's token; POSTs with the old one are refused from then on. */
  rotateToken: editorProcedure.input(byNode).mutation(async ({ ctx, input }) => {
    const node = await requireIngestNode(ctx.db, input.flowId, input.nodeId);
    const token = await withKey(() => rotateIngestToken(ctx.db, input.flowId, input.nodeId));
    return { flowId: input.flowId, nodeId: input.nodeId, token, public: node.public };
  }),
});
