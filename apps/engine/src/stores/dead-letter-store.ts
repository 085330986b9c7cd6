import type { Db } from "@weir/db";
import { storableText, toStorableJson } from "@weir/db";
import type { StorableJson } from "@weir/db";
import { errorMessage } from "@weir/domain";
import type { DeadLetterEntry } from "../flow/services";

/**
 * The record in its storable form and the error; a record that cannot even be written as JSON
 * text (nested deeper than JSON.stringify goes) is replaced by a note, so the dead letter, and
 * the node waiting for it, never block.
 */
function recordAndError(entry: DeadLetterEntry, force: boolean): { record: StorableJson; error: string } {
  const error = storableText(entry.error.slice(0, 10_000));
  try {
    return { record: toStorableJson(entry.record, { force }), error };
  } catch (cause) {
    const reason = storableText(errorMessage(cause));
    return {
      record: { "$weir:unencodable": reason },
      error: `${error} (the record itself could not be encoded: ${reason})`,
    };
  }
}

interface Queued {
  seq: number;
  entry: DeadLetterEntry;
  /** Failed writes of this entry on its own; from the first one on it is written in the safe encoding. */
  failures: number;
}

/**
 * Buffers dead letters and writes them in batches. A dead letter must always be storable, so
 * its record goes through `toStorableJson` and its error through `storableText`. A failed batch
 * is split and written entry by entry, so one bad entry never holds back the others; an entry
 * that fails on its own is written again in the wrapper encoding (always storable). What still
 * fails (the database is away) stays for the next flush, so a hiccup delays dead letters but
 * does not lose them.
 */
export class DeadLetterStore {
  private pending: Queued[] = [];
  private nextSeq = 1;
  private waiters: { upTo: number; resolve: () => void }[] = [];
  /** Flushes run one after another. */
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly db: Db) {}

  add(entry: DeadLetterEntry): void {
    this.pending.push({ seq: this.nextSeq++, entry, failures: 0 });
  }

  /**
   * Resolves once every dead letter added so far is in Postgres. A node acks its input (on Kafka:
   * lets the offset be committed) only then, so a crash cannot lose a record that had failed.
   */
  persisted(): Promise<void> {
    const upTo = this.nextSeq - 1;
    if (this.oldestUnwritten() > upTo) return Promise.resolve();
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

  private oldestUnwritten(): number {
    return this.pending.reduce((oldest, queued) => Math.min(oldest, queued.seq), Infinity);
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    let left: Queued[] = [];
    let firstError: unknown;
    try {
      await this.write(batch);
    } catch (error) {
      firstError = error;
      left = await this.writeOneByOne(batch);
    }
    if (left.length > 0) this.pending = [...left, ...this.pending];
    const oldest = this.oldestUnwritten();
    const ready = this.waiters.filter((w) => w.upTo < oldest);
    this.waiters = this.waiters.filter((w) => w.upTo >= oldest);
    for (const waiter of ready) waiter.resolve();
    if (left.length > 0) throw firstError;
  }

  /** Returns the entries still unwritten. */
  private async writeOneByOne(batch: Queued[]): Promise<Queued[]> {
    const left: Queued[] = [];
    for (const [index, queued] of batch.entries()) {
      try {
        if (queued.failures === 0) {
          try {
            await this.write([queued]);
            continue;
          } catch {
            queued.failures++;
          }
        }
        await this.write([queued]);
      } catch {
        queued.failures++;
        // Even the safe encoding failed: the database is away, so the rest wait for the next flush.
        left.push(...batch.slice(index));
        break;
      }
    }
    return left;
  }

  private async write(batch: readonly Queued[]): Promise<void> {
    await this.db.deadLetter.createMany({
      data: batch.map(({ entry, failures }) => ({
        flowId: entry.deployment.flowId,
        deploymentId: entry.deployment.id,
        flowVersionId: entry.deployment.flowVersionId,
        nodeId: storableText(entry.nodeId),
        ...recordAndError(entry, failures > 0),
        attempts: entry.attempts,
      })),
    });
  }
}
