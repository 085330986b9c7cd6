// Conversions from database rows to what the API returns: ISO strings for dates, numbers for
// BigInts, parsed specs.
import type { Deployment } from "@weir/db";
import { flowSpecSchema, WeirError } from "@weir/domain";
import type { DeploymentStatus, FlowSpec } from "@weir/domain";

/** Engines report about once a second; anything quieter than this is taken to be gone. */
export const LIVENESS_WINDOW_MS = 15_000;

export const iso = (date: Date): string => date.toISOString();
export const isoOrNull = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toDeploymentStatus(row: Deployment & { flowVersion: { version: number } }): DeploymentStatus {
  return {
    id: row.id,
    flowId: row.flowId,
    version: row.flowVersion.version,
    desiredState: row.desiredState,
    actualState: row.actualState,
    error: row.error,
    engineId: row.engineId,
    createdAt: iso(row.createdAt),
    startedAt: isoOrNull(row.startedAt),
    stoppedAt: isoOrNull(row.stoppedAt),
  };
}

/** Specs are validated before they are stored, so a stored spec that no longer parses is a bug. */
export function readSpec(json: unknown, where: string): FlowSpec {
  const parsed = flowSpecSchema.safeParse(json);
  if (!parsed.success) {
    throw new WeirError(
      "fatal",
      "INTERNAL",
      `stored spec of ${where} does not match the flow schema`,
      parsed.error,
    );
  }
  return parsed.data;
}
