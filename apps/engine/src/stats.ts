/** In-memory counters for one node of one deployment, flushed to Postgres by StatsReporter. */
export class NodeCounters {
  recordsIn = 0;
  recordsOut = 0;
  errors = 0;
  lastError: string | null = null;
  lastErrorAt: Date | null = null;
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
    this.lastError = message.slice(0, 2000);
    this.lastErrorAt = new Date();
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
