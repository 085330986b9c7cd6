import type { Db } from "@weir/db";
import { storableJsonText, toStorableJson } from "@weir/db";
import type { WeirRecord } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { DeploymentRef } from "../flow/services";
import { databaseReachable } from "./reachable";

interface Pending {
  deployment: DeploymentRef;
  nodeId: string;
  keep: number;
  records: WeirRecord[];
  /** Flushes in a row in which none of this entry's records could be written while others could. */
  failedFlushes: number;
}

/** Per node: records added, and records done with (stored, trimmed away or handed on), oldest first. */
interface Progress {
  added: number;
  done: number;
  waiters: { upTo: number; resolve: () => void }[];
}

/** Records pending that make a flush start at once, without waiting for the gap: a sink's whole batch. */
const RETAINED_FULL_FLUSH = 100;
/**
 * Fewer wait until this long after the previous flush began (a log sink's ack waits at most this
 * much more). Many slow flows fill no batch between flushes: 100 flows of 10 records/s had a
 * flush every 50 ms (20 transactions a second, each costing the engine more than its records);
 * a sink holds OVERLAPPED_BATCHES batches meanwhile, and one whose records pile up reaches
 * RETAINED_FULL_FLUSH and goes sooner.
 */
const RETAINED_FLUSH_GAP_MS = 200;
/**
 * A full batch still waits until this long after the previous flush began. A fast log sink
 * hands over several batches meanwhile (sink-runner's OVERLAPPED_BATCHES), and only the newest
 * `keep` of them are written, the older ones acked as soon as a newer batch trims them:
 * back-to-back flushes of 100 records each were a third of the engine's CPU in a generator →
 * function → log flow, and a gap of 50 ms ran that flow 1.4–1.7× faster than one of 10 ms
 * (bench:nodered, alternating runs on a slow machine; 100 ms was no faster than 50).
 */
const RETAINED_FULL_FLUSH_GAP_MS = 50;
/** Records someone waits for (a request's answer ends only once they are stored) wait no longer than this. */
const RETAINED_WAITED_FLUSH_GAP_MS = 10;

/** How soon a scheduled flush starts, the most urgent last: a flush is only ever brought forward. */
const URGENCY = { gap: 0, full: 1, waited: 2 } as const;
type Urgency = keyof typeof URGENCY;

/** Nodes whose rows since their last trim this store counts at most (see `untrimmed`). */
const MAX_TRACKED_NODES = 100_000;

/**
 * A node's rows are trimmed back to its `keep` once this many more were written since its last
 * trim (so the table holds fewer than `keep` + this many of them, and readers show the newest
 * `keep`: see the API's logs.read). Trimming at every flush walked `keep` index entries per node
 * per flush to find where to cut: with 100 records per node written before a trim, Postgres
 * spent 14–17 µs of CPU per record where it spent 34 (scratch run of 100 sinks × 2 records a
 * flush, alternating).
 */
export function trimSlack(keep: number): number {
  return keep;
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
 * The records `log` sinks keep, written in batches and trimmed back to each node's `keep` once
 * `trimSlack(keep)` more were written (readers show the newest `keep`). Records are stored with
 * `toStorableJson` (a record with NUL or a lone surrogate is kept in a wrapper and decoded by the
 * API). A failing write is isolated: the node's batch is retried record by record, a record that
 * fails alone is retried in the wrapper encoding, and only if that fails while the database takes
 * other writes is it handed to `undeliverable` (the engine dead-letters it). Writes that fail
 * because the database is away stay pending for the next flush; an entry none of whose records
 * can be written while the database takes other writes is given up after
 * RETAINED_MAX_FAILED_FLUSHES flushes. One node's failure never touches another node's entries.
 */
export class RetainedStore {
  private pending = new Map<string, Pending>();
  private readonly progress = new Map<string, Progress>();
  /** Flushes run one after another: the engine's loop and `persisted` both start them. */
  private flushing: Promise<void> = Promise.resolve();
  /** The flush that has not started yet, if any: every caller until it starts shares it. */
  private queued: Promise<void> | undefined;
  /** A flush is set to start, and how urgently (see URGENCY). */
  private scheduled: { urgency: Urgency; cancel: () => void } | undefined;
  /** Records added since the last flush took the pending ones (trimmed ones included). */
  private addedSinceFlush = 0;
  private lastFlushAt = 0;
  /**
   * Per flow and node: rows this store wrote since it last trimmed the node. A node it has not
   * trimmed yet (a new one, or any after the engine started) is trimmed at its first write, so
   * rows another engine or an earlier process left are cut within one write.
   */
  private readonly untrimmed = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly undeliverable: Undeliverable = () => undefined,
    /** How long a few records wait after the last flush began (tests lengthen it). */
    private readonly flushGapMs = RETAINED_FLUSH_GAP_MS,
    /** How long a full batch waits after the last flush began (tests lengthen it). */
    private readonly fullFlushGapMs = RETAINED_FULL_FLUSH_GAP_MS,
  ) {}

  add(deployment: DeploymentRef, nodeId: string, records: readonly WeirRecord[], keep: number): void {
    const key = `${deployment.id}/${nodeId}`;
    const entry = this.pending.get(key) ?? { deployment, nodeId, keep, records: [], failedFlushes: 0 };
    entry.records.push(...records);
    const progress = this.progressOf(key);
    progress.added += records.length;
    this.addedSinceFlush += records.length;
    // Only the newest `keep` can survive the trim, so older ones need not be written at all.
    if (entry.records.length > keep)
      this.markDone(key, entry.records.splice(0, entry.records.length - keep).length);
    this.pending.set(key, entry);
  }

  /**
   * Resolves once every record added so far for this node is stored (or was trimmed away, or
   * handed to `undeliverable`). A log sink acks its input only then, so on the Kafka transport a
   * crash cannot commit the offset of a record that was still only in this buffer. `soon`: someone
   * waits for it (a request's answer ends only then), so the flush does not wait for the long gap.
   */
  persisted(deployment: DeploymentRef, nodeId: string, soon = false): Promise<void> {
    const progress = this.progress.get(`${deployment.id}/${nodeId}`);
    if (!progress || progress.done >= progress.added) return Promise.resolve();
    const upTo = progress.added;
    const done = new Promise<void>((resolve) => progress.waiters.push({ upTo, resolve }));
    this.flushSoon(soon);
    return done;
  }

  /**
   * Writes every pending entry; throws (after trying them all) the first error of a write left
   * pending. Calls made while a flush waits to start share it: it takes everything added before
   * it starts. Without that, every sink's `persisted` queued a flush of its own behind the running
   * one, and with many sinks the queue grew faster than it drained, so the engine's own flush
   * (and its stats, leases and claims, which wait for it) fell minutes behind.
   */
  flush(): Promise<void> {
    if (this.queued) return this.queued;
    const run = this.flushing.then(() => {
      this.queued = undefined;
      return this.flushOnce();
    });
    this.queued = run;
    this.flushing = run.catch(() => undefined);
    return run;
  }

  /**
   * One flush for everything added meanwhile; a failure waits for the engine's next. Records a
   * request's answer waits for go within RETAINED_WAITED_FLUSH_GAP_MS of the last flush's start,
   * a full batch within RETAINED_FULL_FLUSH_GAP_MS; a few records wait until
   * RETAINED_FLUSH_GAP_MS after it, so many sinks of slow flows share a flush instead of each
   * starting its own.
   */
  private flushSoon(waitedFor: boolean): void {
    const urgency: Urgency = waitedFor
      ? "waited"
      : this.addedSinceFlush >= RETAINED_FULL_FLUSH
        ? "full"
        : "gap";
    if (this.scheduled && URGENCY[this.scheduled.urgency] >= URGENCY[urgency]) return;
    this.scheduled?.cancel();
    const run = (): void => {
      this.scheduled = undefined;
      this.flush().catch(() => undefined);
    };
    const sinceLast = performance.now() - this.lastFlushAt;
    // Called for every batch a log sink stores: no lookup object built per call.
    const gap =
      urgency === "waited"
        ? RETAINED_WAITED_FLUSH_GAP_MS
        : urgency === "full"
          ? this.fullFlushGapMs
          : this.flushGapMs;
    if (sinceLast >= gap) {
      const immediate = setImmediate(run);
      this.scheduled = {
        urgency: "waited",
        cancel: () => {
          clearImmediate(immediate);
        },
      };
    } else {
      const timer = setTimeout(run, gap - sinceLast);
      this.scheduled = {
        urgency,
        cancel: () => {
          clearTimeout(timer);
        },
      };
    }
  }

  private progressOf(key: string): Progress {
    let progress = this.progress.get(key);
    if (!progress) {
      progress = { added: 0, done: 0, waiters: [] };
      this.progress.set(key, progress);
    }
    return progress;
  }

  private markDone(key: string, count: number): void {
    const progress = this.progress.get(key);
    if (!progress || count === 0) return;
    progress.done += count;
    const ready = progress.waiters.filter((w) => w.upTo <= progress.done);
    progress.waiters = progress.waiters.filter((w) => w.upTo > progress.done);
    for (const waiter of ready) waiter.resolve();
    if (progress.done >= progress.added && progress.waiters.length === 0) this.progress.delete(key);
  }

  private async flushOnce(): Promise<void> {
    if (this.pending.size === 0) return;
    this.lastFlushAt = performance.now();
    const entries = [...this.pending.values()];
    this.pending = new Map();
    this.addedSinceFlush = 0;
    // Every node's records in one statement: with many small flows a flush holds one or two
    // records from each of many sinks, and a transaction per sink cost more than the records.
    try {
      await this.writeAll(entries);
      this.markWritten(entries);
      return;
    } catch (error) {
      // The database away: everything waits for the next flush, none of it counts as a failure.
      if (!(await databaseReachable(this.db))) {
        for (const entry of entries) this.requeue(entry, entry.records);
        throw error instanceof Error ? error : new Error(errorMessage(error));
      }
    }
    const { failing, written } = await this.isolateFailing(entries);
    let firstError: Error | undefined;
    let anyWritten = written;
    const stuck: { entry: Pending; left: WeirRecord[]; error: unknown }[] = [];
    // Each failing node on its own: its records one by one, then in the always-storable encoding.
    for (const entry of failing) {
      try {
        await this.write(entry, entry.records, false);
        anyWritten = true;
        this.markDone(keyOf(entry), entry.records.length);
      } catch (error) {
        const { left, written } = await this.writeOneByOne(entry);
        anyWritten ||= written;
        if (left.length > 0) stuck.push({ entry, left, error });
      }
    }
    // Whether the database is up (then the stuck entries are the problem) or away (then wait).
    if (stuck.length > 0 && !anyWritten) anyWritten = await databaseReachable(this.db);
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
        this.markDone(keyOf(entry), left.length);
        continue;
      }
      firstError ??= error instanceof Error ? error : new Error(errorMessage(error));
      this.requeue({ ...entry, failedFlushes }, left);
    }
    if (firstError !== undefined) throw firstError;
  }

  /** Writes the entries in one statement and marks their records done; false if it failed. */
  private async writeAllOrNot(entries: readonly Pending[]): Promise<boolean> {
    try {
      await this.writeAll(entries);
    } catch {
      return false;
    }
    this.markWritten(entries);
    return true;
  }

  private markWritten(entries: readonly Pending[]): void {
    for (const entry of entries) this.markDone(keyOf(entry), entry.records.length);
  }

  /**
   * Entries whose one-statement write failed (the database up): halves them until each failing
   * entry stands alone, so one bad record among 1,000 sinks costs about twenty statements rather
   * than 1,000 transactions (a flush that slow held back the engine's stats, leases and claims,
   * which wait for it). Returns the entries that failed alone, and whether any was written.
   */
  private async isolateFailing(
    entries: readonly Pending[],
  ): Promise<{ failing: Pending[]; written: boolean }> {
    if (entries.length === 1) return { failing: [...entries], written: false };
    const half = Math.ceil(entries.length / 2);
    const failing: Pending[] = [];
    let written = false;
    for (const part of [entries.slice(0, half), entries.slice(half)]) {
      if (await this.writeAllOrNot(part)) {
        written = true;
        continue;
      }
      const inner = await this.isolateFailing(part);
      failing.push(...inner.failing);
      written ||= inner.written;
    }
    return { failing, written };
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
        this.markDone(keyOf(entry), 1);
        continue;
      } catch {
        // Retried below in the encoding that is always storable.
      }
      try {
        await this.write(entry, [record], true);
        reachable = true;
        this.markDone(keyOf(entry), 1);
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
    this.markDone(keyOf(entry), refused.length);
    return { left, written: reachable };
  }

  private requeue(entry: Pending, records: WeirRecord[]): void {
    const key = keyOf(entry);
    const newer = this.pending.get(key);
    const merged = { ...entry, records: [...records, ...(newer?.records ?? [])] };
    if (merged.records.length > entry.keep)
      this.markDone(key, merged.records.splice(0, merged.records.length - entry.keep).length);
    this.pending.set(key, merged);
  }

  /**
   * Writes the records of every entry and trims each node due for it to its `keep`, in one
   * statement (one round trip: with many slow flows a flush runs many times a second, and a
   * transaction of two statements cost four round trips). The DELETE does not see the rows its
   * own INSERT adds (one snapshot), so it keeps `keep` minus the node's new records of the rows
   * already there; new rows have the highest ids, so each node ends with its newest `keep`.
   *
   * The trim goes node by node: each node's cutoff (the id of the newest row to go) once, then
   * the node's rows up to it, both by the (flow, node, id) index. Written as a join of the nodes
   * with the table and a subquery for the cutoff, the planner (seeing 1,000 nodes in the arrays)
   * hashed the whole table against the nodes and ran the cutoff's `keep`-long index walk once
   * per row: EXPLAIN ANALYZE of one flush's trim while 1,000 flows started (672 sinks with
   * records, 66,768 rows) showed 66,768 runs of it, 455,000 buffer hits and 2.35 s; this form
   * ran it once per sink (680 of them, minutes later) in 43 ms.
   * `OFFSET 0` keeps the second lateral subquery from being flattened into that same join.
   */
  private async writeAll(entries: readonly Pending[]): Promise<void> {
    const rows = entries.flatMap((entry) =>
      entry.records.map((record) => ({ entry, record: storableJsonText(record) })),
    );
    // A flow redeployed while its old version still flushes has two entries for one node.
    const nodes = entries.map(nodeOf);
    const added = new Map<string, number>();
    for (const [i, entry] of entries.entries())
      added.set(nodes[i] as string, (added.get(nodes[i] as string) ?? 0) + entry.records.length);
    // Only nodes due for a trim; the rest only get their rows (see trimSlack).
    const trimmed: Pending[] = [];
    const trimmedNodes: string[] = [];
    const keepOld: number[] = [];
    for (const [i, entry] of entries.entries()) {
      const node = nodes[i] as string;
      const since = this.untrimmed.get(node);
      const count = added.get(node) ?? 0;
      if (since !== undefined && since + count < trimSlack(entry.keep)) continue;
      trimmed.push(entry);
      trimmedNodes.push(node);
      keepOld.push(Math.max(entry.keep - count, 0));
    }
    await this.db.$executeRaw`
      WITH inserted AS (
        INSERT INTO sink_log_entries (flow_id, deployment_id, node_id, record)
        SELECT flow_id, deployment_id, node_id, record
        FROM unnest(
          ${rows.map((row) => row.entry.deployment.flowId)}::uuid[],
          ${rows.map((row) => row.entry.deployment.id)}::uuid[],
          ${rows.map((row) => row.entry.nodeId)}::text[],
          ${rows.map((row) => row.record)}::jsonb[]
        ) WITH ORDINALITY AS input(flow_id, deployment_id, node_id, record, position)
        ORDER BY position
        RETURNING 1
      )
      DELETE FROM sink_log_entries AS entry
      USING unnest(
        ${trimmed.map((entry) => entry.deployment.flowId)}::uuid[],
        ${trimmed.map((entry) => entry.nodeId)}::text[],
        ${keepOld}::int[]
      ) AS node(flow_id, node_id, keep_old)
      CROSS JOIN LATERAL (SELECT id FROM sink_log_entries
                          WHERE flow_id = node.flow_id AND node_id = node.node_id
                          ORDER BY id DESC OFFSET node.keep_old LIMIT 1) AS cutoff
      CROSS JOIN LATERAL (SELECT id FROM sink_log_entries
                          WHERE flow_id = node.flow_id AND node_id = node.node_id AND id <= cutoff.id
                          OFFSET 0) AS old
      WHERE entry.id = old.id`;
    // Forgetting every node costs only a trim each at its next write: the map stays bounded
    // however many flows come and go over the engine's life.
    if (this.untrimmed.size > MAX_TRACKED_NODES) this.untrimmed.clear();
    for (const [node, count] of added) this.untrimmed.set(node, (this.untrimmed.get(node) ?? 0) + count);
    for (const node of trimmedNodes) this.untrimmed.set(node, 0);
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
    this.untrimmed.set(nodeOf(entry), 0);
  }
}

/** A node's rows in the table: every deployment of its flow writes them. */
function nodeOf(entry: Pending): string {
  return `${entry.deployment.flowId}/${entry.nodeId}`;
}

function keyOf(entry: Pending): string {
  return `${entry.deployment.id}/${entry.nodeId}`;
}
