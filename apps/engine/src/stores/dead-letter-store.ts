import type { Db } from "@weir/db";
import type { DeadLetterEntry } from "../flow/services";

/**
 * Buffers dead letters and writes them in batches. A failed write keeps the batch for the next
 * flush, so a database hiccup delays dead letters but does not lose them.
 */
export class DeadLetterStore {
  private pending: DeadLetterEntry[] = [];
  /** Entries added and entries written since the store was made: `persisted` waits on these. */
  private added = 0;
  private written = 0;
  private waiters: { upTo: number; resolve: () => void }[] = [];
  /** Flushes run one after another, so `written` always counts the oldest entries first. */
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly db: Db) {}

  add(entry: DeadLetterEntry): void {
    this.pending.push(entry);
    this.added++;
  }

  /**
   * Resolves once every dead letter added so far is in Postgres. A node acks its input (on Kafka:
   * lets the offset be committed) only then, so a crash cannot lose a record that had failed.
   */
  persisted(): Promise<void> {
    if (this.written >= this.added) return Promise.resolve();
    const upTo = this.added;
    const done = new Promise<void>((resolve) => this.waiters.push({ upTo, resolve }));
    // A failed write is retried by the engine's next flush; the waiter keeps waiting till then.
    this.flush().catch(() => undefined);
    return done;
  }

  flush(): Promise<void> {
    const run = this.flushing.then(() => this.writePending());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      await this.db.deadLetter.createMany({
        data: batch.map((entry) => ({
          flowId: entry.deployment.flowId,
          deploymentId: entry.deployment.id,
          flowVersionId: entry.deployment.flowVersionId,
          nodeId: entry.nodeId,
          record: entry.record,
          error: entry.error.slice(0, 10_000),
          attempts: entry.attempts,
        })),
      });
    } catch (error) {
      this.pending = [...batch, ...this.pending];
      throw error;
    }
    this.written += batch.length;
    const ready = this.waiters.filter((w) => w.upTo <= this.written);
    this.waiters = this.waiters.filter((w) => w.upTo > this.written);
    for (const waiter of ready) waiter.resolve();
  }
}
