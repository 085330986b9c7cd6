import { z } from "zod";
import { validFlowOrThrow } from "../code-check";
import { FlowValidationError, notFound } from "../errors";
import { versionNumber } from "../inputs";
import { afterTimeAndId, cursors, pageFields } from "../pagination";
import type { DbClient } from "../lookups";
import { findDeployment, requireFlow, requireVersion, withVersion } from "../lookups";
import { createTRPCRouter, editorProcedure, viewerProcedure } from "../trpc";
import { toDeploymentStatus } from "../views";
import { missingReferences } from "../reference-check";

const byFlow = z.object({ flowId: z.uuid() });

/** Serialises deploys and stops of one flow, so at most one deployment is ever desired running. */
async function lockFlow(tx: DbClient, flowId: string): Promise<void> {
  const rows = await tx.$queryRaw<
    { id: string }[]
  >`SELECT id FROM flows WHERE id = ${flowId}::uuid FOR UPDATE`;
  if (rows.length === 0) throw notFound(`flow ${flowId} not found`);
}

export const deploymentRouter = createTRPCRouter({
  deploy: editorProcedure
    .input(byFlow.extend({ version: versionNumber.optional() }))
    .mutation(async ({ ctx, input }) => {
      // Node types and the compiler evolve; a version saved under older rules must still pass
      // today's before it runs. Versions never change, so this runs before the flow is locked.
      const version = await requireVersion(ctx.db, input.flowId, input.version, "field");
      const flow = await validFlowOrThrow(version.spec, ctx.db);
      const unset = await missingReferences(ctx.db, flow);
      if (unset.length > 0) throw new FlowValidationError(unset);
      const row = await ctx.db.$transaction(async (tx) => {
        await lockFlow(tx, input.flowId);
        await tx.deployment.updateMany({
          where: { flowId: input.flowId, desiredState: "running" },
          data: { desiredState: "stopped" },
        });
        return tx.deployment.create({
          data: {
            flowId: input.flowId,
            flowVersionId: version.id,
            desiredState: "running",
            actualState: "pending",
          },
          include: withVersion,
        });
      });
      return toDeploymentStatus(row);
    }),

  stop: editorProcedure.input(byFlow).mutation(async ({ ctx, input }) => {
    await ctx.db.$transaction(async (tx) => {
      await lockFlow(tx, input.flowId);
      await tx.deployment.updateMany({
        where: { flowId: input.flowId, desiredState: "running" },
        data: { desiredState: "stopped" },
      });
    });
    const latest = await findDeployment(ctx.db, input.flowId);
    return latest ? toDeploymentStatus(latest) : null;
  }),

  status: viewerProcedure.input(byFlow).query(async ({ ctx, input }) => {
    await requireFlow(ctx.db, input.flowId);
    const latest = await findDeployment(ctx.db, input.flowId);
    return latest ? toDeploymentStatus(latest) : null;
  }),

  /** Newest first; `limit` + `cursor` page through them. */
  list: viewerProcedure
    .input(byFlow.extend(pageFields(cursors.timeAndUuid)))
    .query(async ({ ctx, input }) => {
      await requireFlow(ctx.db, input.flowId);
      const rows = await ctx.db.deployment.findMany({
        where: {
          flowId: input.flowId,
          ...afterTimeAndId(input.cursor, { time: "createdAt", id: "id" }, "desc"),
        },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: input.limit,
        include: withVersion,
      });
      return rows.map(toDeploymentStatus);
    }),
});
