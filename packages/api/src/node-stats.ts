import type { NodeStats as NodeStatsRow } from "@weir/db";
import type { NodeStats } from "@weir/domain";
import { LIVENESS_WINDOW_MS, isoOrNull } from "./views";

/**
 * Sums the rows every engine wrote for each node, in the order of `nodeIds`; a node no engine
 * has reported yet gets zeros. Counters are totals and always add up; a rate only counts while
 * its engine still reports, so a dead engine's last rate does not linger.
 */
export function sumNodeStats(
  nodeIds: readonly string[],
  rows: readonly NodeStatsRow[],
  now: Date,
): NodeStats[] {
  const byNode = new Map<string, NodeStats>(
    nodeIds.map((nodeId) => [
      nodeId,
      { nodeId, recordsIn: 0, recordsOut: 0, errors: 0, rate: 0, lastError: null, lastErrorAt: null },
    ]),
  );
  const latestErrorAt = new Map<string, number>();
  for (const row of rows) {
    const stats = byNode.get(row.nodeId);
    if (!stats) continue;
    stats.recordsIn += Number(row.recordsIn);
    stats.recordsOut += Number(row.recordsOut);
    stats.errors += Number(row.errors);
    if (now.getTime() - row.updatedAt.getTime() <= LIVENESS_WINDOW_MS) stats.rate += row.rate;
    const errorAt = row.lastErrorAt?.getTime();
    if (
      row.lastError !== null &&
      errorAt !== undefined &&
      errorAt > (latestErrorAt.get(row.nodeId) ?? -Infinity)
    ) {
      latestErrorAt.set(row.nodeId, errorAt);
      stats.lastError = row.lastError;
      stats.lastErrorAt = isoOrNull(row.lastErrorAt);
    }
  }
  return [...byNode.values()];
}
