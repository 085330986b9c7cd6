// The commit rule of the Kafka reader (reader.ts), pure so it is unit-tested without a broker:
// a partition's messages are handed on in commit units (a run of consecutive messages), each unit
// counts the holds taken on it (a record not yet acked downstream, a split value not yet put
// back together), and a unit's offset is committed only once it and every earlier unit of its
// partition have no hold left. The window counts what was handed on and not yet seen committed,
// which is what a member that loses its partitions leaves to be read again.
import type { CommitOffset } from "../kafka-client/edge-client";

/** A run of consecutive messages of one partition, committed as one. */
export interface CommitUnit {
  /** `topic/partition` */
  readonly partition: string;
  readonly topic: string;
  readonly partitionNumber: number;
  /** The offset to commit once this unit and every earlier one of its partition are released. */
  readonly next: string;
  /** Its messages: what it adds to the window. */
  readonly size: number;
  /** Their value bytes. */
  readonly bytes: number;
  /** The partition's end offset when it was read (for the lag). */
  readonly highWatermark: number;
  /** Holds not yet released: records not acked, values not yet put together. */
  remaining: number;
  /** Handed on before the member rejoined its group: never committed (the group reads it again). */
  orphan: boolean;
}

export interface WindowBounds {
  /** Messages handed on and not yet committed. */
  messages: number;
  /** Their value bytes. */
  bytes: number;
}

export class CommitWindow {
  /** Per partition, its units handed on and not yet settled, oldest first. */
  private readonly open = new Map<string, CommitUnit[]>();
  /** Per partition, settled units whose commit the broker has not confirmed yet, oldest first. */
  private readonly committing = new Map<string, CommitUnit[]>();
  /** Offsets to commit, by partition (the newest settled one). */
  private readonly toCommit = new Map<string, CommitOffset>();
  /** Messages handed on and not yet committed. */
  private count = 0;
  /** Their value bytes. */
  private byteCount = 0;

  constructor(readonly bounds: WindowBounds) {}

  get messages(): number {
    return this.count;
  }

  get bytes(): number {
    return this.byteCount;
  }

  /** Whether offsets wait to be sent. */
  get pending(): boolean {
    return this.toCommit.size > 0;
  }

  /**
   * Whether `count` more messages of `bytes` would go past a bound; `exempt` is what of the window
   * does not count (chunks of values still incomplete: they must be able to complete). An empty
   * window takes anything, so a unit larger than the window still moves.
   */
  full(count: number, bytes: number, exempt: WindowBounds = { messages: 0, bytes: 0 }): boolean {
    const messages = this.count - exempt.messages;
    return (
      messages > 0 &&
      (messages + count > this.bounds.messages || this.byteCount - exempt.bytes + bytes > this.bounds.bytes)
    );
  }

  /** A unit handed on: it counts in the window until its commit is confirmed. */
  add(unit: CommitUnit): void {
    this.count += unit.size;
    this.byteCount += unit.bytes;
    const open = this.open.get(unit.partition) ?? [];
    open.push(unit);
    this.open.set(unit.partition, open);
  }

  /**
   * Moves the partition's commit point past its leading units without holds; answers the last
   * unit settled, if any (its `next` is the offset now to be committed).
   */
  settle(partition: string): CommitUnit | undefined {
    const open = this.open.get(partition);
    let done: CommitUnit | undefined;
    const committing = this.committing.get(partition) ?? [];
    while (open?.[0]?.remaining === 0) {
      done = open.shift();
      if (done) committing.push(done);
    }
    if (!done) return undefined;
    this.committing.set(partition, committing);
    this.toCommit.set(partition, { topic: done.topic, partition: done.partitionNumber, offset: done.next });
    return done;
  }

  /** The offsets to send now (each partition's newest); `failed` puts them back. */
  takeCommits(): CommitOffset[] {
    const offsets = [...this.toCommit.values()];
    this.toCommit.clear();
    return offsets;
  }

  /** A commit that failed: its offsets are sent again with the next ones, unless newer came meanwhile. */
  failed(offsets: readonly CommitOffset[]): void {
    for (const o of offsets) {
      const key = `${o.topic}/${String(o.partition)}`;
      if (!this.toCommit.has(key)) this.toCommit.set(key, o);
    }
  }

  /** The broker confirmed these offsets: their units leave the window. */
  committed(offsets: readonly CommitOffset[]): void {
    for (const { topic, partition, offset } of offsets) {
      const units = this.committing.get(`${topic}/${String(partition)}`);
      while (units?.[0] && !units[0].orphan && Number(units[0].next) <= Number(offset)) {
        const unit = units.shift();
        this.count -= unit?.size ?? 0;
        this.byteCount -= unit?.bytes ?? 0;
      }
    }
  }

  /**
   * The member (re)joined: every unit so far is orphaned (never committed: the group reads it
   * again), and the window holds only the `stillHeld` records downstream has and will ack one by
   * one (`orphanAcked`). Offsets not yet sent are dropped: the partitions may be someone else's.
   */
  rejoined(stillHeld: number): void {
    for (const units of [...this.open.values(), ...this.committing.values()])
      for (const unit of units) unit.orphan = true;
    this.open.clear();
    this.committing.clear();
    this.count = stillHeld;
    // What downstream still holds of the old assignment counts in messages only.
    this.byteCount = 0;
  }

  /** A record of an orphaned unit was acked: it leaves the window. */
  orphanAcked(): void {
    this.count--;
  }
}
