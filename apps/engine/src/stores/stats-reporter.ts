import type { Db } from "@weir/db";
import { storableText } from "@weir/db";
import { NodeCounters } from "../stats";
import type { WrittenFigures } from "../stats";

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
 * flows cost no database write per tick: with 1,000 deployed flows that was 3,000 rows a second;
 * the refresh of an unchanged row only moves its `updated_at`.
 */
export class StatsReporter {
  private readonly counters = new Map<string, NodeCounters>();
  /** Per counters: what its last written row said and when it was written. */
  private readonly written = new WeakMap<NodeCounters, { figures: WrittenFigures; at: number }>();

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
    const rows: {
      c: NodeCounters;
      lag: ReturnType<NodeCounters["lagJson"]>;
      rate: number;
      figures: WrittenFigures;
    }[] = [];
    /** Rows due for a refresh whose figures are what their last write said. */
    const unchanged: NodeCounters[] = [];
    for (const c of this.counters.values()) {
      if (deploymentId !== undefined && c.deploymentId !== deploymentId) continue;
      const rate = c.takeRate(now);
      const last = this.written.get(c);
      // A deployment's final flush (deploymentId given) writes every row of it.
      if (deploymentId === undefined && last !== undefined && c.unchangedSince(last.figures, rate)) {
        if (now - last.at >= STATS_REFRESH_MS) unchanged.push(c);
        continue;
      }
      // Taken before any await: a figure that moves while the write is on its way differs from
      // it, and so goes out with the next flush.
      rows.push({ c, lag: c.lagJson(), rate, figures: c.written(rate) });
    }
    await this.refresh(unchanged, now);
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
    for (const { c, figures } of rows) this.written.set(c, { figures, at: now });
  }

  /**
   * Keeps unchanged rows live (see STATS_REFRESH_MS) by moving only their `updated_at`: their
   * figures are in the row already, and writing them all again (the metrics and accounting as
   * JSON, per row) was most of what idle flows cost this engine.
   */
  private async refresh(unchanged: readonly NodeCounters[], now: number): Promise<void> {
    if (unchanged.length === 0) return;
    await this.db.$executeRaw`
      UPDATE node_stats SET updated_at = ${new Date(now)}::timestamptz
      FROM unnest(${unchanged.map((c) => c.deploymentId)}::uuid[], ${unchanged.map((c) => c.nodeId)}::text[])
        AS stat(deployment_id, node_id)
      WHERE node_stats.engine_id = ${this.engineId} AND node_stats.deployment_id = stat.deployment_id
        AND node_stats.node_id = stat.node_id`;
    for (const c of unchanged) {
      const last = this.written.get(c);
      if (last) last.at = now;
    }
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
