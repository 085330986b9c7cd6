import type { Db } from "@weir/db";
import type { DeadLetterEntry } from "../flow/services";

/**
 * Buffers dead letters and writes them in batches. A failed write keeps the batch for the next
 * flush, so a database hiccup delays dead letters but does not lose them.
 */
export class DeadLetterStore {
  private pending: DeadLetterEntry[] = [];

  constructor(private readonly db: Db) {}

  add(entry: DeadLetterEntry): void {
    this.pending.push(entry);
  }

  async flush(): Promise<void> {
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
  }
}
