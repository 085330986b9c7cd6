import { checkFlowLimits, flowSpecSchema } from "@weir/domain";
import type { FlowSpec, FlowSpecInput, Problem } from "@weir/domain";
import { z } from "zod";
import { checkFlow, validFlowOrThrow, validFlowWithNotes } from "../code-check";
import { derivedPortTypes } from "../derived-types";
import { versionNumber } from "../inputs";
import { afterTimeAndId, cursors, pageFields, pageInput } from "../pagination";
import { InputError, notFound, viewProblems } from "../errors";
import type { DbClient } from "../lookups";
import { requireFlow, requireVersion, withVersion } from "../lookups";
import { createTRPCRouter, editorProcedure, viewerProcedure } from "../trpc";
import { iso, isoOrNull } from "../views";
import { summarizeChange } from "../version-summary";

// The spec's shape is checked by validateFlow rather than by the input parser, so a malformed
// node, a bad config and code that does not compile come back the same way: one
// FlowValidationError with JSON paths (and line/column for code).
const flowSpecInput = z.custom<FlowSpecInput>();
const flowId = z.uuid();
/** Why a version was saved, as the person says it at Save (optional). */
const versionMessage = z.string().trim().max(500);

/**
 * Stores `spec` (already validated) as the flow's next version. One UPDATE … SET latest_version =
 * latest_version + 1 RETURNING: concurrent saves queue on the row lock and each gets its own
 * number; (flow_id, version) is unique as a backstop.
 */
async function saveNextVersion(tx: DbClient, id: string, spec: FlowSpec, message?: string) {
  await requireFlow(tx, id);
  const flow = await tx.flow.update({
    where: { id },
    data: { name: spec.name, description: spec.description, latestVersion: { increment: 1 } },
  });
  await tx.flowVersion.create({
    data: {
      flowId: flow.id,
      version: flow.latestVersion,
      spec,
      message: message === "" ? undefined : message,
    },
  });
  return { id: flow.id, name: flow.name, version: flow.latestVersion };
}

/** A save's or check's notes, as a field only when there are any (older answers stay as they were). */
function withNotes(notes: readonly Problem[]): { notes?: ReturnType<typeof viewProblems> } {
  return notes.length > 0 ? { notes: viewProblems(notes) } : {};
}

export const flowRouter = createTRPCRouter({
  create: editorProcedure.input(flowSpecInput).mutation(async ({ ctx, input }) => {
    const { flow: spec, notes } = await validFlowWithNotes(input, ctx.db);
    const flow = await ctx.db.flow.create({
      data: {
        name: spec.name,
        description: spec.description,
        latestVersion: 1,
        versions: { create: { version: 1, spec, message: "created" } },
      },
    });
    return { id: flow.id, name: flow.name, version: 1, ...withNotes(notes) };
  }),

  /** Newest change first (then by id); `limit` + `cursor` page through it. */
  list: viewerProcedure.input(pageInput(cursors.timeAndUuid)).query(async ({ ctx, input }) => {
    const flows = await ctx.db.flow.findMany({
      where: afterTimeAndId(input.cursor, { time: "updatedAt", id: "id" }, "desc"),
      orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
      take: input.limit,
      include: {
        deployments: { orderBy: { createdAt: "desc" }, take: 1, include: withVersion },
      },
    });
    return flows.map((flow) => {
      const deployment = flow.deployments[0];
      return {
        id: flow.id,
        name: flow.name,
        description: flow.description,
        latestVersion: flow.latestVersion,
        updatedAt: iso(flow.updatedAt),
        // The newest deployment, running or not: which version it runs and how it is doing.
        deployment: deployment
          ? {
              id: deployment.id,
              version: deployment.flowVersion.version,
              desiredState: deployment.desiredState,
              actualState: deployment.actualState,
              error: deployment.error,
              startedAt: isoOrNull(deployment.startedAt),
            }
          : null,
      };
    });
  }),

  get: viewerProcedure
    .input(z.object({ id: flowId, version: versionNumber.optional() }))
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

  update: editorProcedure
    .input(z.object({ id: flowId, spec: flowSpecInput, message: versionMessage.optional() }))
    .mutation(async ({ ctx, input }) => {
      const { flow: spec, notes } = await validFlowWithNotes(input.spec, ctx.db);
      const saved = await ctx.db.$transaction((tx) => saveNextVersion(tx, input.id, spec, input.message));
      return { ...saved, ...withNotes(notes) };
    }),

  // --- editor additions (issue #6): rename, duplicate, rollback --------------------------------

  /**
   * The name is part of the versioned spec, so a rename saves the latest spec under the new name
   * as the next version: an editor holding the spec and a later rollback both see the name it had.
   */
  rename: editorProcedure
    .input(z.object({ id: flowId, name: flowSpecSchema.shape.name }))
    .mutation(async ({ ctx, input }) => {
      const latest = await requireVersion(ctx.db, input.id);
      const spec = await validFlowOrThrow({ ...latest.spec, name: input.name }, ctx.db);
      return ctx.db.$transaction((tx) => saveNextVersion(tx, input.id, spec, `renamed to ${spec.name}`));
    }),

  /**
   * A new flow whose version 1 is the given version (the latest by default) of another; named
   * `<name> (copy)` unless a name is given. Deployments, state, logs and dead letters stay behind.
   */
  duplicate: editorProcedure
    .input(
      z.object({ id: flowId, version: versionNumber.optional(), name: flowSpecSchema.shape.name.optional() }),
    )
    .mutation(async ({ ctx, input }) => {
      const source = await requireVersion(ctx.db, input.id, input.version, "field");
      const name = input.name ?? `${source.flow.name} (copy)`.slice(0, 200);
      const spec = await validFlowOrThrow({ ...source.spec, name }, ctx.db);
      const flow = await ctx.db.flow.create({
        data: {
          name: spec.name,
          description: spec.description,
          latestVersion: 1,
          versions: {
            create: { version: 1, spec, message: `duplicated from ${source.flow.name} v${source.version}` },
          },
        },
      });
      return { id: flow.id, name: flow.name, version: 1 };
    }),

  /**
   * Saves an earlier version's spec, unchanged, as the next version (history is never rewritten).
   * It is checked against today's rules like any save. Deploying it is a separate step.
   */
  rollback: editorProcedure
    .input(z.object({ id: flowId, version: versionNumber }))
    .mutation(async ({ ctx, input }) => {
      const earlier = await requireVersion(ctx.db, input.id, input.version, "field");
      const spec = await validFlowOrThrow(earlier.spec, ctx.db);
      const saved = await ctx.db.$transaction((tx) =>
        saveNextVersion(tx, input.id, spec, `rollback to v${earlier.version}`),
      );
      return { ...saved, rolledBackTo: earlier.version };
    }),

  versions: viewerProcedure
    .input(z.object({ id: flowId, ...pageFields(cursors.version) }))
    .query(async ({ ctx, input }) => {
      await requireFlow(ctx.db, input.id);
      // A cursor above any version a flow can have (the column is a 32-bit integer) starts at the top.
      const before = input.cursor === undefined ? undefined : Math.min(Number(input.cursor), 2 ** 31 - 1);
      const rows = await ctx.db.flowVersion.findMany({
        where: { flowId: input.id, ...(before === undefined ? {} : { version: { lt: before } }) },
        orderBy: { version: "desc" },
        // One more than the page: the last version's summary is against the one below it.
        take: input.limit === undefined ? undefined : input.limit + 1,
        select: { version: true, createdAt: true, message: true, spec: true },
      });
      // Newest first; each version's summary is against the one below it.
      return rows.slice(0, input.limit ?? rows.length).map((row, i) => ({
        version: row.version,
        createdAt: iso(row.createdAt),
        message: row.message,
        summary: summarizeChange((rows[i + 1]?.spec ?? null) as never, row.spec as never),
      }));
    }),

  delete: editorProcedure.input(z.object({ id: flowId })).mutation(async ({ ctx, input }) => {
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
  validate: viewerProcedure.input(flowSpecInput).mutation(async ({ ctx, input }) => {
    const result = await checkFlow(input, ctx.db);
    const notes = withNotes(result.notes);
    return result.ok
      ? { ok: true, problems: [], ...notes }
      : { ok: false, problems: viewProblems(result.problems), ...notes };
  }),

  /**
   * One node's port types in a draft (unsaved, not necessarily valid): its own, else derived from
   * its config, a registry subject, or the edges into it; with the registry lookups behind them.
   * A mutation for the same reason as validate.
   */
  portTypes: viewerProcedure
    .input(z.object({ spec: flowSpecInput, nodeId: z.string().min(1).max(100) }))
    .mutation(async ({ ctx, input }) => {
      const limits = checkFlowLimits(input.spec);
      if (limits.length > 0)
        throw new InputError(
          limits.map((p) => ({ ...p, path: ["spec", ...p.path] })),
          "TOO_LARGE",
        );
      const derived = await derivedPortTypes(ctx.db, input.spec, input.nodeId);
      if (!derived) throw notFound(`the draft has no node '${input.nodeId}'`);
      return { ...derived, notes: viewProblems(derived.notes) };
    }),
});
