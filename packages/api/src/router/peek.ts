import { TRPCError } from "@trpc/server";
import { installationKeys } from "@weir/db";
import type { DeploymentStatus } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import { z } from "zod";
import type { EnginePeekAnswer, MergedPeek } from "../edge-peek";
import { mergePeeks } from "../edge-peek";
import { postToEngine } from "../engine-client";
import type { DbClient } from "../lookups";
import { findDeployment, requireFlow } from "../lookups";
import { createTRPCRouter, viewerProcedure } from "../trpc";
import { LIVENESS_WINDOW_MS, readSpec, toDeploymentStatus } from "../views";

/** Records shown per edge (the engines keep as many each). */
export const PEEK_LIMIT = 20;
/** A watcher's lease on an edge: renewed by every peek.edge call, so a closed panel costs nothing within this long. */
export const PEEK_LEASE_MS = 10_000;
/** A peek call waits this long for an engine before showing what the others hold. */
const PEEK_ENGINE_TIMEOUT_MS = 3_000;

const peekInput = z.object({
  flowId: z.uuid(),
  edgeId: z.string().min(1).max(200),
  /** One open panel, chosen by the client; its lease is separate from every other watcher's. */
  watcher: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8 to 64 letters, digits, '-' or '_'"),
});

const sampleSchema = z.object({
  at: z.number(),
  key: z.string().nullable(),
  timestamp: z.number(),
  value: z.string(),
  truncated: z.boolean(),
});
const engineAnswerSchema = z.union([
  z.object({
    running: z.literal(true),
    produced: z.boolean(),
    samples: z.array(sampleSchema),
    total: z.number(),
    perSec: z.number().nullable(),
    since: z.number(),
  }),
  z.object({ running: z.literal(false) }),
]);

export interface EdgePeekView extends MergedPeek {
  deployment: DeploymentStatus | null;
  /** The edge is sampled now (the deployment runs and at least one engine answered). */
  watching: boolean;
  /** Engines that did not answer, with why. */
  unreachable: string[];
}

/** The live engines, with this process's key to call them. */
export async function liveEngines(db: DbClient) {
  const internalKey = installationKeys(db).internalKey;
  if (internalKey === undefined) {
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message:
        "WEIR_INTERNAL_KEY is not set in the web process, so it cannot call an engine (npm start sets it)",
    });
  }
  const engines = await db.engineInstance.findMany({
    where: { heartbeatAt: { gt: new Date(Date.now() - LIVENESS_WINDOW_MS) } },
  });
  return engines.map((engine) => ({ ...engine, internalKey }));
}

/** Scoped to the signed-in principal, so one user's panel cannot end another's lease. */
const watcherOf = (principalId: string, watcher: string): string => `${principalId}:${watcher}`;

export const peekRouter = createTRPCRouter({
  /**
   * Edge peek (issue #11 B): the last records that crossed an edge of the flow's running
   * deployment, newest first (value as JSON text with the flow's secrets redacted, cut at 2 KB),
   * and the edge's records per second, merged over every engine running it. Each call starts or
   * renews this watcher's 10 s lease: the engines sample the edge only while a lease runs, so a
   * client polls about once a second while it shows the edge and calls peek.stop when it stops.
   */
  edge: viewerProcedure.input(peekInput).query(async ({ ctx, input }): Promise<EdgePeekView> => {
    await requireFlow(ctx.db, input.flowId);
    const deployment = await findDeployment(ctx.db, input.flowId);
    const idle = (status: DeploymentStatus | null): EdgePeekView => ({
      deployment: status,
      watching: false,
      unreachable: [],
      ...mergePeeks([], PEEK_LIMIT),
    });
    if (!deployment) return idle(null);
    const status = toDeploymentStatus(deployment);
    if (deployment.actualState !== "running") return idle(status);
    const version = await ctx.db.flowVersion.findUniqueOrThrow({
      where: { id: deployment.flowVersionId },
      select: { spec: true },
    });
    const spec = readSpec(version.spec, `deployment ${deployment.id}`);
    if (!spec.edges.some((edge) => edge.id === input.edgeId)) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `edgeId: the running version v${String(status.version)} has no edge '${input.edgeId}' (save and deploy first)`,
      });
    }
    const body = {
      deploymentId: deployment.id,
      edgeId: input.edgeId,
      watcher: watcherOf(ctx.principal.userId, input.watcher),
      leaseMs: PEEK_LEASE_MS,
    };
    const engines = await liveEngines(ctx.db);
    const results = await Promise.allSettled(
      engines.map(async (engine) =>
        engineAnswerSchema.parse(await postToEngine(engine, "/peek", body, PEEK_ENGINE_TIMEOUT_MS)),
      ),
    );
    const answers: EnginePeekAnswer[] = [];
    const unreachable: string[] = [];
    for (const result of results) {
      if (result.status === "fulfilled") answers.push(result.value);
      else unreachable.push(errorMessage(result.reason));
    }
    const merged = mergePeeks(answers, PEEK_LIMIT);
    return { deployment: status, watching: merged.engines > 0, unreachable, ...merged };
  }),

  /** Ends this watcher's lease on the edge at once (the panel closed); the engines stop sampling it if nobody else watches. */
  stop: viewerProcedure.input(peekInput).mutation(async ({ ctx, input }) => {
    await requireFlow(ctx.db, input.flowId);
    const deployment = await findDeployment(ctx.db, input.flowId);
    if (!deployment) return { stopped: 0 };
    const body = {
      deploymentId: deployment.id,
      edgeId: input.edgeId,
      watcher: watcherOf(ctx.principal.userId, input.watcher),
      stop: true,
    };
    const results = await Promise.allSettled(
      (await liveEngines(ctx.db)).map((engine) =>
        postToEngine(engine, "/peek", body, PEEK_ENGINE_TIMEOUT_MS),
      ),
    );
    // An engine that did not answer ends the lease itself when it runs out.
    return { stopped: results.filter((r) => r.status === "fulfilled").length };
  }),
});
