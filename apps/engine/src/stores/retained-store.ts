import type { Db } from "@weir/db";
import { toStorableJson } from "@weir/db";
import type { WeirRecord } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { DeploymentRef } from "../flow/services";

interface Pending {
  deployment: DeploymentRef;
  nodeId: string;
  keep: number;
  records: WeirRecord[];
  /** Flushes in a row in which none of this entry's records could be written while others could. */
  failedFlushes: number;
}

/** After this many such flushes an entry's records are handed to `undeliverable`. */
export const RETAINED_MAX_FAILED_FLUSHES = 3;

/** A record the database refused even in the always-storable encoding while it accepted others. */
export type Undeliverable = (
  deployment: DeploymentRef,
  nodeId: string,
  record: WeirRecord,
  error: string,
) => void;

/**
 * The records `log` sinks keep, written in batches and trimmed to each node's `keep` so the
 * table holds only the last N per node. Records are stored with `toStorableJson` (a record with
 * NUL or a lone surrogate is kept in a wrapper and decoded by the API). A failing write is
 * isolated: the node's batch is retried record by record, a record that fails alone is retried
 * in the wrapper encoding, and only if that fails while the database takes other writes is it
 * handed to `undeliverable` (the engine dead-letters it). Writes that fail because the database
 * is away stay pending for the next flush; an entry none of whose records can be written while
 * the database takes other writes is given up after RETAINED_MAX_FAILED_FLUSHES flushes. One node's failure never touches another node's entries.
 */
export class RetainedStore {
  private pending = new Map<string, Pending>();

  constructor(
    private readonly db: Db,
    private readonly undeliverable: Undeliverable = () => undefined,
  ) {}

  add(deployment: DeploymentRef, nodeId: string, records: readonly WeirRecord[], keep: number): void {
    const key = `${deployment.id}/${nodeId}`;
    const entry = this.pending.get(key) ?? { deployment, nodeId, keep, records: [], failedFlushes: 0 };
    entry.records.push(...records);
    // Only the newest `keep` can survive the trim, so older ones need not be written at all.
    if (entry.records.length > keep) entry.records.splice(0, entry.records.length - keep);
    this.pending.set(key, entry);
  }

  /** Writes every pending entry; throws (after trying them all) the first error of a write left pending. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    let firstError: Error | undefined;
    let anyWritten = false;
    const stuck: { entry: Pending; left: WeirRecord[]; error: unknown }[] = [];
    for (const entry of batch) {
      try {
        await this.write(entry, entry.records, false);
        anyWritten = true;
      } catch (error) {
        const { left, written } = await this.writeOneByOne(entry);
        anyWritten ||= written;
        if (left.length > 0) stuck.push({ entry, left, error });
      }
    }
    // Whether the database is up (then the stuck entries are the problem) or away (then wait).
    if (stuck.length > 0 && !anyWritten)
      anyWritten = await this.db.$queryRaw`SELECT 1`.then(
        () => true,
        () => false,
      );
    for (const { entry, left, error } of stuck) {
      const failedFlushes = anyWritten ? entry.failedFlushes + 1 : entry.failedFlushes;
      if (failedFlushes >= RETAINED_MAX_FAILED_FLUSHES) {
        for (const record of left)
          this.undeliverable(
            entry.deployment,
            entry.nodeId,
            record,
            `the log sink could not store this record: ${errorMessage(error)}`,
          );
        continue;
      }
      firstError ??= error instanceof Error ? error : new Error(errorMessage(error));
      this.requeue({ ...entry, failedFlushes }, left);
    }
    if (firstError !== undefined) throw firstError;
  }

  /** Returns the records still to write (the database is away), oldest first, and whether any was written. */
  private async writeOneByOne(entry: Pending): Promise<{ left: WeirRecord[]; written: boolean }> {
    const left: WeirRecord[] = [];
    let reachable = false;
    const refused: { record: WeirRecord; error: unknown }[] = [];
    for (const [index, record] of entry.records.entries()) {
      try {
        await this.write(entry, [record], false);
        reachable = true;
        continue;
      } catch {
        // Retried below in the encoding that is always storable.
      }
      try {
        await this.write(entry, [record], true);
        reachable = true;
      } catch (error) {
        if (!reachable) {
          // Nothing went through yet: most likely the database is away, so keep the rest for later.
          left.push(...entry.records.slice(index));
          break;
        }
        refused.push({ record, error });
      }
    }
    for (const { record, error } of refused)
      this.undeliverable(
        entry.deployment,
        entry.nodeId,
        record,
        `the log sink could not store this record: ${errorMessage(error)}`,
      );
    return { left, written: reachable };
  }

  private requeue(entry: Pending, records: WeirRecord[]): void {
    const key = `${entry.deployment.id}/${entry.nodeId}`;
    const newer = this.pending.get(key);
    const merged = { ...entry, records: [...records, ...(newer?.records ?? [])] };
    if (merged.records.length > entry.keep) merged.records.splice(0, merged.records.length - entry.keep);
    this.pending.set(key, merged);
  }

  private async write(entry: Pending, records: readonly WeirRecord[], force: boolean): Promise<void> {
    const { flowId } = entry.deployment;
    await this.db.$transaction([
      this.db.sinkLogEntry.createMany({
        data: records.map((record) => ({
          flowId,
          deploymentId: entry.deployment.id,
          nodeId: entry.nodeId,
          record: toStorableJson(record, { force }),
        })),
      }),
      this.db.$executeRaw`
        DELETE FROM sink_log_entries
        WHERE flow_id = ${flowId}::uuid AND node_id = ${entry.nodeId}
          AND id <= (SELECT id FROM sink_log_entries WHERE flow_id = ${flowId}::uuid AND node_id = ${entry.nodeId}
                     ORDER BY id DESC OFFSET ${entry.keep} LIMIT 1)`,
    ]);
  }
}
