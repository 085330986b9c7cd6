import type { Db } from "@weir/db";
import { Prisma, storableText } from "@weir/db";
import { NodeCounters } from "../stats";

/** User metric names are user text: a NUL or lone surrogate in one is written escaped. */
function storableMetrics(metrics: ReturnType<NodeCounters["metricsJson"]>): typeof metrics {
  const names = <T>(values: Record<string, T>): Record<string, T> =>
    Object.fromEntries(Object.entries(values).map(([name, value]) => [storableText(name), value]));
  return { counters: names(metrics.counters), histograms: names(metrics.histograms) };
}

/**
 * Owns every node's counters on this engine and writes them to `node_stats` once per tick,
 * one row per (deployment, node, engine); the API sums the rows of all engines.
 */
export class StatsReporter {
  private readonly counters = new Map<string, NodeCounters>();

  constructor(
    private readonly db: Db,
    private readonly engineId: string,
  ) {}

  counter(deploymentId: string, nodeId: string, rateCounts: "in" | "out"): NodeCounters {
    const key = `${deploymentId}/${nodeId}`;
    let counters = this.counters.get(key);
    if (!counters) {
      counters = new NodeCounters(deploymentId, nodeId, rateCounts);
      this.counters.set(key, counters);
    }
    return counters;
  }

  async flush(deploymentId?: string): Promise<void> {
    const now = Date.now();
    const rows = [...this.counters.values()].filter(
      (c) => deploymentId === undefined || c.deploymentId === deploymentId,
    );
    if (rows.length === 0) return;
    await this.db.$transaction(
      rows.map((c) => {
        const lag = c.lagJson();
        const values = {
          lag: lag === null ? null : BigInt(lag.total),
          partitionLag: lag === null ? Prisma.DbNull : lag.partitions,
          recordsIn: BigInt(c.recordsIn),
          recordsOut: BigInt(c.recordsOut),
          errors: BigInt(c.errors),
          rate: c.takeRate(now),
          lastError: c.lastError === null ? null : storableText(c.lastError),
          lastErrorAt: c.lastErrorAt,
          // The accounting rides in the metrics column (no schema change); the API reads it from there.
          metrics: { ...storableMetrics(c.metricsJson()), accounting: c.accountingJson() },
        };
        return this.db.nodeStats.upsert({
          where: {
            deploymentId_nodeId_engineId: {
              deploymentId: c.deploymentId,
              nodeId: c.nodeId,
              engineId: this.engineId,
            },
          },
          create: { deploymentId: c.deploymentId, nodeId: c.nodeId, engineId: this.engineId, ...values },
          update: values,
        });
      }),
    );
  }

  /** Every node's counters on this engine (for `GET /metrics`). */
  all(): readonly NodeCounters[] {
    return [...this.counters.values()];
  }

  /** Drops a stopped deployment's counters after their final flush. */
  forget(deploymentId: string): void {
    for (const [key, counters] of this.counters)
      if (counters.deploymentId === deploymentId) this.counters.delete(key);
  }
}
