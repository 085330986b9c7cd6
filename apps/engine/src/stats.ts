// A type alias, not an interface, so it fits Prisma's JSON input type (index signatures).
export type HistogramSummary = {
  count: number;
  sum: number;
  min: number;
  max: number;
};

/**
 * Where every record a node took in went (issue 10): `completed` (outputs sent on, or written
 * for a sink; a function's filtered record counts too), `deadLettered`, or still `inFlight`
 * (taken, not yet acked). For every node `recordsIn = completed + deadLettered + inFlight`;
 * records waiting on the node's input edges are its backlog (`lag`), not yet in.
 */
export type Accounting = {
  completed: number;
  deadLettered: number;
  inFlight: number;
};

/** A node's row as last written (NodeCounters.written), for telling whether it changed since. */
export interface WrittenFigures {
  /** in, out, errors, completed, dead-lettered, in flight, last error time, metrics version, rate. */
  figures: readonly number[];
  /** How many in-memory queues were watched (their entries lead `lag`). */
  queued: number;
  /** Per queue its instance and depth, then per Kafka partition its instance, place and lag. */
  lag: readonly (number | string)[];
}

/** In-memory counters for one node of one deployment, flushed to Postgres by StatsReporter. */
export class NodeCounters {
  recordsIn = 0;
  recordsOut = 0;
  errors = 0;
  completed = 0;
  deadLettered = 0;
  inFlight = 0;
  lastError: string | null = null;
  lastErrorAt: Date | null = null;
  /** User metrics from ctx.metrics. */
  readonly counters = new Map<string, number>();
  readonly histograms = new Map<string, HistogramSummary>();
  /** Kafka transport: per node instance on this engine, its lag by `topic/partition`. */
  private readonly lagByInstance = new Map<number, Map<string, number>>();
  /** In-process transport: per node instance, how many records wait in its input queues. */
  private readonly queuedByInstance = new Map<number, () => number>();
  /** Counter value (in, or out for sources) at the previous flush, for the rate. */
  private rateBase = 0;
  private rateBaseAt = Date.now();

  constructor(
    readonly deploymentId: string,
    readonly nodeId: string,
    private readonly rateCounts: "in" | "out",
  ) {}

  error(message: string): void {
    this.errors++;
    this.noteError(message);
  }

  /** A record of this node went to the dead-letter store: an error, and where the record went. */
  deadLetter(message: string): void {
    this.deadLettered++;
    this.error(message);
  }

  accountingJson(): Accounting {
    return { completed: this.completed, deadLettered: this.deadLettered, inFlight: this.inFlight };
  }

  /** Records the latest error without counting a failed record (a retry that may still succeed). */
  noteError(message: string): void {
    this.lastError = message.slice(0, 2000);
    this.lastErrorAt = new Date();
  }

  /**
   * What the row this node writes says, as the stats flush last wrote it (rate and lag included),
   * so the next flush can tell an unchanged node without building anything: compared every
   * second for every node, the string this replaced was most of what an idle engine allocated.
   */
  written(rate: number): WrittenFigures {
    const lag: (number | string)[] = [];
    for (const [instance, depth] of this.queuedByInstance) lag.push(instance, depth());
    for (const [instance, partitions] of this.lagByInstance)
      for (const [where, value] of partitions) lag.push(instance, where, value);
    return {
      figures: [
        this.recordsIn,
        this.recordsOut,
        this.errors,
        this.completed,
        this.deadLettered,
        this.inFlight,
        this.lastErrorAt?.getTime() ?? -1,
        this.metricsVersion,
        rate,
      ],
      queued: this.queuedByInstance.size,
      lag,
    };
  }

  /**
   * Whether the row would say what `last` (from written()) says. Lag entries are compared in the
   * order the maps give them, so an entry added or removed reads as a change, never the reverse.
   */
  unchangedSince(last: WrittenFigures, rate: number): boolean {
    const f = last.figures;
    if (
      f[0] !== this.recordsIn ||
      f[1] !== this.recordsOut ||
      f[2] !== this.errors ||
      f[3] !== this.completed ||
      f[4] !== this.deadLettered ||
      f[5] !== this.inFlight ||
      f[6] !== (this.lastErrorAt?.getTime() ?? -1) ||
      f[7] !== this.metricsVersion ||
      f[8] !== rate ||
      last.queued !== this.queuedByInstance.size
    )
      return false;
    const lag = last.lag;
    let at = 0;
    for (const [instance, depth] of this.queuedByInstance) {
      if (lag[at] !== instance || lag[at + 1] !== depth()) return false;
      at += 2;
    }
    for (const [instance, partitions] of this.lagByInstance)
      for (const [where, value] of partitions) {
        if (lag[at] !== instance || lag[at + 1] !== where || lag[at + 2] !== value) return false;
        at += 3;
      }
    return at === lag.length;
  }

  /** Bumped by every user metric update (see written). */
  private metricsVersion = 0;

  counter(name: string, increment: number): void {
    this.metricsVersion++;
    this.counters.set(name, (this.counters.get(name) ?? 0) + increment);
  }

  histogram(name: string, value: number): void {
    this.metricsVersion++;
    const h = this.histograms.get(name);
    if (h) {
      h.count++;
      h.sum += value;
      h.min = Math.min(h.min, value);
      h.max = Math.max(h.max, value);
    } else {
      this.histograms.set(name, { count: 1, sum: value, min: value, max: value });
    }
  }

  metricsJson(): { counters: Record<string, number>; histograms: Record<string, HistogramSummary> } {
    return { counters: Object.fromEntries(this.counters), histograms: Object.fromEntries(this.histograms) };
  }

  lagOf(instance: number): Map<string, number> {
    let lag = this.lagByInstance.get(instance);
    if (!lag) {
      lag = new Map();
      this.lagByInstance.set(instance, lag);
    }
    return lag;
  }

  /** Lets the in-process transport report an instance's queue depth as the node's backlog. */
  watchQueue(instance: number, depth: () => number): void {
    this.queuedByInstance.set(instance, depth);
  }

  /**
   * The node's backlog on this engine: Kafka lag over the partitions it owns, plus records queued
   * in memory (as `in-memory#<instance>`); null when the node reads no edge here.
   */
  lagJson(): { total: number; partitions: Record<string, number> } | null {
    if (this.lagByInstance.size === 0 && this.queuedByInstance.size === 0) return null;
    const partitions: Record<string, number> = {};
    let total = 0;
    for (const [instance, depth] of this.queuedByInstance) {
      const queued = depth();
      partitions[`in-memory#${String(instance)}`] = queued;
      total += queued;
    }
    for (const lag of this.lagByInstance.values())
      for (const [where, value] of lag) {
        partitions[where] = value;
        total += value;
      }
    return { total, partitions };
  }

  /** Records per second since the last call. */
  takeRate(now = Date.now()): number {
    const current = this.rateCounts === "in" ? this.recordsIn : this.recordsOut;
    const seconds = (now - this.rateBaseAt) / 1000;
    const rate = seconds > 0 ? (current - this.rateBase) / seconds : 0;
    this.rateBase = current;
    this.rateBaseAt = now;
    return rate;
  }
}
