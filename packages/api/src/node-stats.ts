import type { NodeStats as NodeStatsRow } from "@weir/db";
import type { NodeStats } from "@weir/domain";
import { z } from "zod";
import { LIVENESS_WINDOW_MS, isoOrNull } from "./views";

export interface HistogramSummary {
  count: number;
  sum: number;
  /** Null while nothing was observed. */
  min: number | null;
  max: number | null;
}

/** What functions recorded with ctx.metrics, summed over engines. */
export interface NodeMetrics {
  counters: Record<string, number>;
  histograms: Record<string, HistogramSummary>;
}

/**
 * Where the records a node took in went, summed over engines (issue 10): for every node
 * `recordsIn = completed + deadLettered + inFlight`, and records on its input edges are its `lag`.
 */
export interface NodeAccounting {
  /** Outputs sent on (a function, filtered records included) or written (a sink). */
  completed: number;
  /** Records of this node that went to the dead-letter store. */
  deadLettered: number;
  /** Taken in, not yet acked. */
  inFlight: number;
}

export interface NodeStatsView extends NodeStats {
  metrics: NodeMetrics;
  accounting: NodeAccounting;
  /** Only when asked for: the lag by `topic/partition`, from the engine that reported it last. */
  partitionLag?: Record<string, number>;
}

// Engines write this column; an entry that does not fit is skipped rather than failing the read.
// (zod 4 numbers are finite.)
const counterSchema = z.number();
const histogramSchema = z.object({
  count: z.number().nonnegative(),
  sum: z.number(),
  min: z.number().nullish(),
  max: z.number().nullish(),
});

const accountingSchema = z.object({
  completed: z.number(),
  deadLettered: z.number(),
  inFlight: z.number(),
});

function entriesOf(value: unknown): [string, unknown][] {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? Object.entries(value) : [];
}

/**
 * Merges what each engine reported for one node. Names are user-chosen, so they are collected
 * in Maps (a name like `__proto__` is just a name) and only then turned into plain objects.
 */
export function mergeMetrics(reports: readonly unknown[]): NodeMetrics {
  const counters = new Map<string, number>();
  const histograms = new Map<string, HistogramSummary>();
  for (const reported of reports) {
    const report = (reported ?? {}) as { counters?: unknown; histograms?: unknown };
    for (const [name, raw] of entriesOf(report.counters)) {
      const value = counterSchema.safeParse(raw);
      if (value.success) counters.set(name, (counters.get(name) ?? 0) + value.data);
    }
    for (const [name, raw] of entriesOf(report.histograms)) {
      const parsed = histogramSchema.safeParse(raw);
      if (!parsed.success) continue;
      const { count, sum, min, max } = parsed.data;
      const merged = histograms.get(name) ?? { count: 0, sum: 0, min: null, max: null };
      merged.count += count;
      merged.sum += sum;
      // An engine that observed nothing has no meaningful min or max.
      if (count > 0 && min != null) merged.min = merged.min === null ? min : Math.min(merged.min, min);
      if (count > 0 && max != null) merged.max = merged.max === null ? max : Math.max(merged.max, max);
      histograms.set(name, merged);
    }
  }
  return { counters: Object.fromEntries(counters), histograms: Object.fromEntries(histograms) };
}

/**
 * Sums the rows every engine wrote for each node, in the order of `nodeIds`; a node no engine
 * has reported yet gets zeros. Counters are totals and always add up; a rate only counts while
 * its engine still reports, so a dead engine's last rate does not linger. User metrics merge:
 * counters add up, histograms add count and sum and keep the smallest min and largest max.
 */
export function sumNodeStats(
  nodeIds: readonly string[],
  rows: readonly NodeStatsRow[],
  now: Date,
  options: { partitions?: boolean } = {},
): NodeStatsView[] {
  const byNode = new Map<string, NodeStatsView>(
    nodeIds.map((nodeId) => [
      nodeId,
      {
        nodeId,
        recordsIn: 0,
        recordsOut: 0,
        errors: 0,
        rate: 0,
        lastError: null,
        lastErrorAt: null,
        lag: null,
        metrics: { counters: {}, histograms: {} },
        accounting: { completed: 0, deadLettered: 0, inFlight: 0 },
        ...(options.partitions ? { partitionLag: {} } : {}),
      },
    ]),
  );
  /** When each partition's lag was reported, so a partition that moved engines counts once. */
  const partitionSeenAt = new Map<string, number>();
  const latestErrorAt = new Map<string, number>();
  const reports = new Map<string, unknown[]>();
  for (const row of rows) {
    const stats = byNode.get(row.nodeId);
    if (!stats) continue;
    stats.recordsIn += Number(row.recordsIn);
    stats.recordsOut += Number(row.recordsOut);
    stats.errors += Number(row.errors);
    const live = now.getTime() - row.updatedAt.getTime() <= LIVENESS_WINDOW_MS;
    if (live) stats.rate += row.rate;
    // Lag is a level, not a total: only engines that still report count, each for its partitions.
    if (live && row.lag !== null) stats.lag = (stats.lag ?? 0) + Number(row.lag);
    if (live && stats.partitionLag) {
      for (const [where, raw] of entriesOf(row.partitionLag)) {
        const key = `${row.nodeId}\u0000${where}`;
        if (typeof raw !== "number" || (partitionSeenAt.get(key) ?? -1) > row.updatedAt.getTime()) continue;
        partitionSeenAt.set(key, row.updatedAt.getTime());
        stats.partitionLag[where] = raw;
      }
    }
    reports.set(row.nodeId, [...(reports.get(row.nodeId) ?? []), row.metrics]);
    // Engines write the accounting beside the user metrics, in the same column.
    const accounting = accountingSchema.safeParse(
      (row.metrics as { accounting?: unknown } | null)?.accounting,
    );
    if (accounting.success) {
      stats.accounting.completed += accounting.data.completed;
      stats.accounting.deadLettered += accounting.data.deadLettered;
      stats.accounting.inFlight += accounting.data.inFlight;
    }
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
  for (const [nodeId, metrics] of reports) {
    const stats = byNode.get(nodeId);
    if (stats) stats.metrics = mergeMetrics(metrics);
  }
  return [...byNode.values()];
}
