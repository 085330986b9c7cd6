// Reads several routers share, each failing with NOT_FOUND and a message naming what is missing.
import type { Flow, Prisma } from "@weir/db";
import type { FlowSpec } from "@weir/domain";
import { InputError, notFound } from "./errors";
import { readSpec } from "./views";

/** The client or a transaction: every lookup works inside `$transaction` too. */
export type DbClient = Prisma.TransactionClient;

export const withVersion = { flowVersion: { select: { version: true } } } as const;

export async function requireFlow(db: DbClient, flowId: string) {
  const flow = await db.flow.findUnique({ where: { id: flowId } });
  if (!flow) throw notFound(`flow ${flowId} not found`);
  return flow;
}

export interface LoadedVersion {
  flow: Flow;
  id: string;
  version: number;
  createdAt: Date;
  spec: FlowSpec;
}

/**
 * One version of a flow, the latest when `version` is omitted. A version named in the path or
 * query of a read is a resource that is not there (404); one named in a request's body is a wrong
 * field of that request (400 with the path `version`), since the flow itself exists.
 */
export async function requireVersion(
  db: DbClient,
  flowId: string,
  version?: number,
  named: "resource" | "field" = "resource",
): Promise<LoadedVersion> {
  const flow = await requireFlow(db, flowId);
  const number = version ?? flow.latestVersion;
  const row = await db.flowVersion.findUnique({ where: { flowId_version: { flowId, version: number } } });
  if (!row) {
    const message = `flow ${flowId} has no version ${number} (latest is ${flow.latestVersion})`;
    if (named === "resource") throw notFound(message);
    throw new InputError([{ path: ["version"], message, code: "missing_version" }]);
  }
  return {
    flow,
    id: row.id,
    version: row.version,
    createdAt: row.createdAt,
    spec: readSpec(row.spec, `flow ${flowId} v${number}`),
  };
}

/** The newest deployment of a flow, or the given one (which must belong to the flow). */
export async function findDeployment(db: DbClient, flowId: string, deploymentId?: string) {
  if (deploymentId === undefined) {
    return db.deployment.findFirst({
      where: { flowId },
      orderBy: { createdAt: "desc" },
      include: withVersion,
    });
  }
  const row = await db.deployment.findFirst({ where: { id: deploymentId, flowId }, include: withVersion });
  if (!row) throw notFound(`deployment ${deploymentId} of flow ${flowId} not found`);
  return row;
}
