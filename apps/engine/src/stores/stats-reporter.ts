import type { Db } from "@weir/db";
import { storableText } from "@weir/db";
import { NodeCounters } from "../stats";

/** User metric names are user text: a NUL or lone surrogate in one is written escaped. */
function storableMetrics(metrics: ReturnType<NodeCounters["metricsJson"]>): typeof metrics {
  const names = <T>(values: Record<string, T>): Record<string, T> =>
    Object.fromEntries(Object.entries(values).map(([name, value]) => [storableText(name), value]));
  return { counters: names(metrics.counters), histograms: names(metrics.histograms) };
}

/**
 * A row whose figures did not change is written again after this long anyway: the API counts a
 * row's rate and lag only while it is younger than its liveness window (15 s, LIVENESS_WINDOW_MS).
 */
export const STATS_REFRESH_MS = 5000;

/**
 * Owns every node's counters on this engine and writes them to `node_stats` once per tick,
 * one row per (deployment, node, engine); the API sums the rows of all engines. Only rows whose
 * figures changed since their last write go out (plus a refresh every STATS_REFRESH_MS), so idle
 * flows cost no database write per tick: with 1,000 deployed flows that was 3,000 rows a second.
 */
export class StatsReporter {
  private readonly counters = new Map<string, NodeCounters>();
  /** Per counters: what its last written row said (a change stamp) and when it was written. */
  private readonly written = new WeakMap<NodeCounters, { stamp: string; at: number }>();

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

  /**
   * Writes the rows in one statement (an upsert of them all from arrays): with many small flows
   * an upsert per node cost the engine more than the flows' records did.
   */
  async flush(deploymentId?: string): Promise<void> {
    const now = Date.now();
    const rows: { c: NodeCounters; lag: ReturnType<NodeCounters["lagJson"]>; rate: number; stamp: string }[] =
      [];
    for (const c of this.counters.values()) {
      if (deploymentId !== undefined && c.deploymentId !== deploymentId) continue;
      const lag = c.lagJson();
      const rate = c.takeRate(now);
      const stamp = `${c.changeStamp()}|${String(rate)}|${lag === null ? "" : JSON.stringify(lag.partitions)}`;
      const last = this.written.get(c);
      // A deployment's final flush (deploymentId given) writes every row of it.
      if (deploymentId === undefined && last?.stamp === stamp && now - last.at < STATS_REFRESH_MS) continue;
      rows.push({ c, lag, rate, stamp });
    }
    if (rows.length === 0) return;
    const values = rows.map(({ c, lag, rate }) => {
      return {
        deploymentId: c.deploymentId,
        nodeId: c.nodeId,
        recordsIn: String(c.recordsIn),
        recordsOut: String(c.recordsOut),
        errors: String(c.errors),
        rate,
        lastError: c.lastError === null ? null : storableText(c.lastError),
        lastErrorAt: c.lastErrorAt === null ? null : c.lastErrorAt.toISOString(),
        // The accounting rides in the metrics column (no schema change); the API reads it from there.
        metrics: JSON.stringify({ ...storableMetrics(c.metricsJson()), accounting: c.accountingJson() }),
        lag: lag === null ? null : String(lag.total),
        partitionLag: lag === null ? null : JSON.stringify(lag.partitions),
      };
    });
    const column = <K extends keyof (typeof values)[number]>(key: K): (typeof values)[number][K][] =>
      values.map((row) => row[key]);
    await this.db.$executeRaw`
      INSERT INTO node_stats (deployment_id, node_id, engine_id, records_in, records_out, errors, rate,
                              last_error, last_error_at, metrics, lag, partition_lag, updated_at)
      SELECT deployment_id, node_id, ${this.engineId}, records_in, records_out, errors, rate,
             last_error, last_error_at, metrics, lag, partition_lag, ${new Date(now)}::timestamptz
      FROM unnest(
        ${column("deploymentId")}::uuid[], ${column("nodeId")}::text[], ${column("recordsIn")}::bigint[],
        ${column("recordsOut")}::bigint[], ${column("errors")}::bigint[], ${column("rate")}::float8[],
        ${column("lastError")}::text[], ${column("lastErrorAt")}::timestamptz[], ${column("metrics")}::jsonb[],
        ${column("lag")}::bigint[], ${column("partitionLag")}::jsonb[]
      ) AS stat(deployment_id, node_id, records_in, records_out, errors, rate,
               last_error, last_error_at, metrics, lag, partition_lag)
      ON CONFLICT (deployment_id, node_id, engine_id) DO UPDATE SET
        records_in = EXCLUDED.records_in, records_out = EXCLUDED.records_out, errors = EXCLUDED.errors,
        rate = EXCLUDED.rate, last_error = EXCLUDED.last_error, last_error_at = EXCLUDED.last_error_at,
        metrics = EXCLUDED.metrics, lag = EXCLUDED.lag, partition_lag = EXCLUDED.partition_lag,
        updated_at = EXCLUDED.updated_at`;
    for (const { c, stamp } of rows) this.written.set(c, { stamp, at: now });
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
