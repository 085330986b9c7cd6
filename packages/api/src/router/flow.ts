import type { FlowSpecInput } from "@weir/domain";
import { z } from "zod";
import { checkFlow, validFlowOrThrow } from "../code-check";
import { notFound, viewProblems } from "../errors";
import { requireFlow, requireVersion } from "../lookups";
import { createTRPCRouter, publicProcedure } from "../trpc";
import { iso } from "../views";

// The spec's shape is checked by validateFlow rather than by the input parser, so a malformed
// node, a bad config and code that does not compile come back the same way: one
// FlowValidationError with JSON paths (and line/column for code).
const flowSpecInput = z.custom<FlowSpecInput>();
const flowId = z.uuid();

export const flowRouter = createTRPCRouter({
  create: publicProcedure.input(flowSpecInput).mutation(async ({ ctx, input }) => {
    const spec = validFlowOrThrow(input);
    const flow = await ctx.db.flow.create({
      data: {
        name: spec.name,
        description: spec.description,
        latestVersion: 1,
        versions: { create: { version: 1, spec } },
      },
    });
    return { id: flow.id, name: flow.name, version: 1 };
  }),

  list: publicProcedure.query(async ({ ctx }) => {
    const flows = await ctx.db.flow.findMany({
      orderBy: { updatedAt: "desc" },
      include: {
        deployments: {
          orderBy: { createdAt: "desc" },
          take: 1,
          select: { desiredState: true, actualState: true },
        },
      },
    });
    return flows.map((flow) => ({
      id: flow.id,
      name: flow.name,
      description: flow.description,
      latestVersion: flow.latestVersion,
      updatedAt: iso(flow.updatedAt),
      deployment: flow.deployments[0] ?? null,
    }));
  }),

  get: publicProcedure
    .input(z.object({ id: flowId, version: z.number().int().positive().optional() }))
    .query(async ({ ctx, input }) => {
      const { flow, ...version } = await requireVersion(ctx.db, input.id, input.version);
      return {
        id: flow.id,
        name: flow.name,
        description: flow.description,
        latestVersion: flow.latestVersion,
        version: version.version,
        spec: version.spec,
        createdAt: iso(version.createdAt),
        updatedAt: iso(flow.updatedAt),
      };
    }),

  update: publicProcedure
    .input(z.object({ id: flowId, spec: flowSpecInput }))
    .mutation(async ({ ctx, input }) => {
      const spec = validFlowOrThrow(input.spec);
      return ctx.db.$transaction(async (tx) => {
        await requireFlow(tx, input.id);
        // One UPDATE … SET latest_version = latest_version + 1 RETURNING: concurrent saves queue on
        // the row lock and each gets its own number; (flow_id, version) is unique as a backstop.
        const flow = await tx.flow.update({
          where: { id: input.id },
          data: { name: spec.name, description: spec.description, latestVersion: { increment: 1 } },
        });
        await tx.flowVersion.create({ data: { flowId: flow.id, version: flow.latestVersion, spec } });
        return { id: flow.id, name: flow.name, version: flow.latestVersion };
      });
    }),

  versions: publicProcedure.input(z.object({ id: flowId })).query(async ({ ctx, input }) => {
    await requireFlow(ctx.db, input.id);
    const rows = await ctx.db.flowVersion.findMany({
      where: { flowId: input.id },
      orderBy: { version: "desc" },
      select: { version: true, createdAt: true },
    });
    return rows.map((row) => ({ version: row.version, createdAt: iso(row.createdAt) }));
  }),

  delete: publicProcedure.input(z.object({ id: flowId })).mutation(async ({ ctx, input }) => {
    await ctx.db.$transaction(async (tx) => {
      const deployments = await tx.deployment.findMany({ where: { flowId: input.id }, select: { id: true } });
      const { count } = await tx.flow.deleteMany({ where: { id: input.id } });
      if (count === 0) throw notFound(`flow ${input.id} not found`);
      // Versions and deployments cascade; these tables hold the flow's id without a foreign key.
      await tx.nodeStats.deleteMany({ where: { deploymentId: { in: deployments.map((d) => d.id) } } });
      await tx.sinkLogEntry.deleteMany({ where: { flowId: input.id } });
      await tx.deadLetter.deleteMany({ where: { flowId: input.id } });
      await tx.sourceCheckpoint.deleteMany({ where: { flowId: input.id } });
      await tx.functionState.deleteMany({ where: { flowId: input.id } });
      await tx.functionLogEntry.deleteMany({ where: { flowId: input.id } });
    });
    return { id: input.id };
  }),

  // A mutation although it saves nothing: specs carry code and are too big for a GET URL.
  validate: publicProcedure.input(flowSpecInput).mutation(({ input }) => {
    const result = checkFlow(input);
    return result.ok ? { ok: true, problems: [] } : { ok: false, problems: viewProblems(result.problems) };
  }),
});
