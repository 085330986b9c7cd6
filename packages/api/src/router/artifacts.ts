import { Buffer } from "node:buffer";
import { artifactHashSchema } from "@weir/domain";
import { z } from "zod";
import { artifactMetadata, toArtifactView, uploadArtifact } from "../artifacts";
import { notFound } from "../errors";
import { afterTimeAndId, cursors, pageInput } from "../pagination";
import { createTRPCRouter, editorProcedure, viewerProcedure } from "../trpc";
import { loadUsage } from "../usage";

const bySha = z.object({ sha256: artifactHashSchema });

/**
 * WebAssembly components for `wasm` function nodes, which name one by `config.artifact`. Raw
 * bytes can also be POSTed to /api/artifacts (application/wasm), which is easier with curl.
 */
export const artifactsRouter = createTRPCRouter({
  /** Checks and stores a component given as base64; answers its sha256 and what it targets. */
  upload: editorProcedure
    .input(
      z.object({
        base64: z.base64("must be the component's bytes in base64"),
        name: z.string().max(256).default(""),
      }),
    )
    .mutation(({ ctx, input }) => uploadArtifact(ctx.db, Buffer.from(input.base64, "base64"), input.name)),

  /** Every artifact's metadata and the flows naming it, newest first; never the bytes. */
  list: viewerProcedure.input(pageInput(cursors.timeAndSha256)).query(async ({ ctx, input }) => {
    const [rows, usage] = await Promise.all([
      ctx.db.wasmArtifact.findMany({
        where: afterTimeAndId(input.cursor, { time: "createdAt", id: "sha256" }, "desc"),
        orderBy: [{ createdAt: "desc" }, { sha256: "desc" }],
        take: input.limit,
        select: artifactMetadata,
      }),
      loadUsage(ctx.db),
    ]);
    return rows.map((row) => ({ ...toArtifactView(row), flows: usage.artifacts.get(row.sha256) ?? [] }));
  }),

  get: viewerProcedure.input(bySha).query(async ({ ctx, input }) => {
    const row = await ctx.db.wasmArtifact.findUnique({
      where: { sha256: input.sha256 },
      select: artifactMetadata,
    });
    if (!row) throw notFound(`artifact ${input.sha256} not found`);
    return toArtifactView(row);
  }),
});
