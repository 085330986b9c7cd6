// The one Kafka reader: a member of a consumer group, on either client (kafka-client/), that
// fetches ahead within a window and commits a partition's offset only once downstream acked
// every record before it. The engine's transport reads edge topics with it (its record codec,
// value reassembly and dead letters are a layer on top), and the kafka-source connector reads
// its topics with it, so both have one commit discipline, one backpressure and one duplicate bound.
import type { KafkaMessage } from "kafkajs";
import { errorMessage } from "@weir/domain";
import type { FunctionLogger } from "@weir/domain";
import type {
  BatchControl,
  ConsumerSettings,
  EdgeClient,
  EdgeConsumer,
  IncomingBatch,
} from "../kafka-client/edge-client";
import { CommitWindow } from "./commit-window";
import type { CommitUnit, WindowBounds } from "./commit-window";

/** Messages handed on at a time: a commit unit. */
export const READER_CHUNK = 500;
/**
 * The fetch-ahead window in messages: handed on and not yet seen committed (buffered, being
 * processed, or acked with the commit on its way). Fetching waits beyond it. A member that loses
 * its partitions (its process dies, or a rebalance) leaves at most this many records to be read
 * again, so it bounds the duplicates of at-least-once delivery per member per such event.
 */
export const READER_MAX_UNCOMMITTED = 4 * READER_CHUNK;
/** The same window in value bytes, so large records cannot fill memory. */
export const READER_MAX_UNCOMMITTED_BYTES = 64 * 1024 * 1024;
const HEARTBEAT_MS = 1_000;

/** One hold on a commit unit: the unit's offset is not committed until it is released. */
export interface Hold {
  readonly unit: CommitUnit;
}

/** Something handed on, and the hold its ack releases. */
export interface ReaderItem<T> {
  value: T;
  hold: Hold;
}

/** Where a unit's messages come from. */
export interface UnitAt {
  topic: string;
  partition: number;
  /** `topic/partition` */
  where: string;
}

/** What sits on the reader: turns messages into items (a record codec, value reassembly, dead letters). */
export interface ReaderLayer<T> {
  /**
   * Before `admit` sees a unit (e.g. fetching the schemas its messages name). A failure is
   * retried, the unit waiting: nothing is skipped for it.
   */
  prepare?(messages: readonly KafkaMessage[]): Promise<void>;
  /**
   * One unit's messages → the items to hand on, in order. Each item carries a hold taken with
   * `hold()` (on this unit), or one taken earlier on an earlier unit of the same partition (a split
   * value's first chunk); a hold not handed on is released with `release` once its messages are
   * accounted for (dead-lettered). Resolves once what it did not hand on is stored elsewhere.
   */
  admit(messages: readonly KafkaMessage[], at: UnitAt, hold: () => Hold): Promise<ReaderItem<T>[]>;
  /** What of the window does not count against its bounds (chunks of incomplete values). */
  exempt?(): WindowBounds;
  /** The member (re)joined its group: state kept per partition is stale. */
  rejoined?(): void;
}

export interface ReaderOptions extends ConsumerSettings {
  /** Messages per commit unit; READER_CHUNK unless set. */
  chunk?: number;
  /** The window; READER_MAX_UNCOMMITTED and READER_MAX_UNCOMMITTED_BYTES unless set. */
  window?: WindowBounds;
  /** Where the reader reports its lag, by `topic/partition`. */
  lag?: Map<string, number>;
  /** Called with the number of items handed on (negative: dropped again by a rejoin, they come again). */
  handedOn?: (count: number) => void;
  log: FunctionLogger;
}

/**
 * Items are taken in batches (`take`) and acked oldest batch first (`ack`). A crash replays
 * from the last committed unit: at least once, in order per partition. A rebalance may also
 * repeat records: what downstream holds when its member rejoins is still processed, and read
 * again from the last commit (here or elsewhere). Either way at most the window's messages per
 * member come twice.
 */
export class KafkaReader<T> {
  private readonly consumer: EdgeConsumer;
  private readonly window: CommitWindow;
  private readonly chunk: number;
  private readonly lag: Map<string, number>;
  /** Per partition, the offset after the last unit settled: where its lag counts from. */
  private readonly committedNext = new Map<string, number>();
  private buffer: ReaderItem<T>[] = [];
  /** Per batch taken and not yet acked, oldest first: each item's hold. */
  private taken: Hold[][] = [];
  private waiters: (() => void)[] = [];
  private spaceWaiters: (() => void)[] = [];
  /** Counts the member's joins: a batch from before the last one hands nothing more on. */
  private generation = 0;
  private committing: Promise<void> | undefined;
  private stopped = false;

  constructor(
    client: EdgeClient,
    private readonly options: ReaderOptions,
    private readonly layer: ReaderLayer<T>,
  ) {
    this.consumer = client.consumer({
      groupId: options.groupId,
      topics: options.topics,
      fromBeginning: options.fromBeginning,
      sessionTimeoutMs: options.sessionTimeoutMs,
      concurrency: options.concurrency,
    });
    this.chunk = options.chunk ?? READER_CHUNK;
    this.window = new CommitWindow(
      options.window ?? { messages: READER_MAX_UNCOMMITTED, bytes: READER_MAX_UNCOMMITTED_BYTES },
    );
    this.lag = options.lag ?? new Map<string, number>();
  }

  /** Messages handed on and not yet committed. */
  get uncommitted(): number {
    return this.window.messages;
  }

  async start(): Promise<void> {
    await this.consumer.start({
      batch: (batch, control) => this.eachBatch(batch, control),
      joined: (owned) => {
        this.rejoined();
        // Said at info: each join after the first may repeat up to a window of records (the fault tests count them).
        this.options.log.info(
          `joined consumer group ${this.options.groupId} (join ${String(this.generation)})`,
        );
        // A partition this member no longer owns is someone else's to report.
        for (const key of [...this.lag.keys()]) if (!owned.has(key)) this.lag.delete(key);
      },
      watermarks: (ends) => {
        for (const [where, end] of ends) {
          const next = this.committedNext.get(where);
          if (next !== undefined) this.lag.set(where, Math.max(0, end - next));
        }
      },
      log: this.options.log,
    });
  }

  /** Up to `max` items, waiting for some; null once stopped. */
  async take(max: number): Promise<T[] | null> {
    for (;;) {
      if (this.stopped) return null;
      if (this.buffer.length > 0) {
        const items = this.buffer.splice(0, max);
        this.taken.push(items.map((item) => item.hold));
        this.wakeAll("space");
        return items.map((item) => item.value);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * The oldest batch taken is handled downstream: units with no hold left, and every unit before
   * them in their partition, get their offsets committed (in the background; a commit that fails
   * is retried with the next one, and a lost commit only means records are read again).
   */
  ack(): void {
    const touched = new Set<string>();
    for (const hold of this.taken.shift() ?? []) {
      if (hold.unit.orphan) {
        this.window.orphanAcked();
        continue;
      }
      hold.unit.remaining--;
      touched.add(hold.unit.partition);
    }
    for (const partition of touched) this.settle(partition);
    this.flushCommits();
  }

  /** A hold that was not handed on (its messages were dead-lettered, or a split value gave up). */
  release(hold: Hold): void {
    hold.unit.remaining--;
    if (hold.unit.orphan) return;
    this.settle(hold.unit.partition);
    this.flushCommits();
  }

  /** Ends `take`; what is buffered or unacked stays uncommitted and is consumed again later. */
  stop(): void {
    this.stopped = true;
    this.buffer = [];
    this.wakeAll("data");
    this.wakeAll("space");
  }

  /** Stops, sends the last commits, and leaves the group. */
  async close(): Promise<void> {
    this.stop();
    await this.committing;
    await this.consumer.disconnect();
  }

  private async eachBatch(batch: IncomingBatch, control: BatchControl): Promise<void> {
    const at: UnitAt = {
      topic: batch.topic,
      partition: batch.partition,
      where: `${batch.topic}/${String(batch.partition)}`,
    };
    const highWatermark = batch.highWatermark ?? 0;
    const generation = this.generation;
    for (let start = 0; start < batch.messages.length; start += this.chunk) {
      const messages = batch.messages.slice(start, start + this.chunk);
      const last = messages.at(-1);
      if (!last) return;
      const bytes = messages.reduce((sum, message) => sum + (message.value?.byteLength ?? 0), 0);
      if (!(await this.roomOrStop(control, messages.length, bytes, generation))) return;
      if (!control.alive()) return;
      if (!(await this.prepared(control, messages, generation))) return;
      const unit: CommitUnit = {
        partition: at.where,
        topic: at.topic,
        partitionNumber: at.partition,
        next: String(Number(last.offset) + 1),
        size: messages.length,
        bytes,
        remaining: 0,
        highWatermark,
        orphan: false,
      };
      const items = await this.layer.admit(messages, at, () => {
        unit.remaining++;
        return { unit };
      });
      if (generation !== this.generation) return;
      this.options.handedOn?.(items.length);
      this.window.add(unit);
      this.lag.set(at.where, Math.max(0, highWatermark - Number(messages[0]?.offset ?? last.offset)));
      this.buffer.push(...items);
      // A unit with nothing to ack (all dead-lettered, or chunks of values that go on) is done in its turn.
      this.settle(at.where);
      this.flushCommits();
      control.resolved(last.offset);
      this.wakeAll("data");
    }
  }

  /**
   * Waits, heartbeating, until `count` more messages of `bytes` fit in the window; false when the
   * reader stopped or the member rejoined meanwhile (the group reads the rest again).
   */
  private async roomOrStop(
    control: BatchControl,
    count: number,
    bytes: number,
    generation: number,
  ): Promise<boolean> {
    while (
      !this.stopped &&
      generation === this.generation &&
      this.window.full(count, bytes, this.layer.exempt?.())
    ) {
      await new Promise<void>((resolve) => {
        this.spaceWaiters.push(resolve);
        setTimeout(resolve, HEARTBEAT_MS);
      });
      await control.heartbeat().catch(() => undefined);
    }
    return !this.stopped && generation === this.generation;
  }

  /** Runs the layer's `prepare` until it succeeds; false when the reader stopped or rejoined meanwhile. */
  private async prepared(
    control: BatchControl,
    messages: readonly KafkaMessage[],
    generation: number,
  ): Promise<boolean> {
    const prepare = this.layer.prepare?.bind(this.layer);
    if (!prepare) return true;
    for (;;) {
      try {
        await prepare(messages);
        return true;
      } catch (error) {
        this.options.log.warn(`preparing records to decode failed (retrying): ${errorMessage(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS));
      await control.heartbeat().catch(() => undefined);
      if (this.stopped || generation !== this.generation) return false;
    }
  }

  /**
   * After a (re)join the client reads every assigned partition again from its committed offset, so
   * what was fetched before and not taken is dropped here rather than handed on twice, and the
   * units of the old assignment are never committed (their records come again). What downstream
   * holds now is still processed; it counts in the window until acked.
   */
  private rejoined(): void {
    this.generation++;
    this.window.rejoined(this.taken.reduce((sum, batch) => sum + batch.length, 0));
    this.committedNext.clear();
    this.layer.rejoined?.();
    // Not handed on after all: they will be counted when they come again.
    if (this.buffer.length > 0) this.options.handedOn?.(-this.buffer.length);
    this.buffer = [];
    this.wakeAll("space");
  }

  private settle(partition: string): void {
    const done = this.window.settle(partition);
    if (!done) return;
    this.committedNext.set(partition, Number(done.next));
    this.lag.set(partition, Math.max(0, done.highWatermark - Number(done.next)));
  }

  private flushCommits(): void {
    if (this.committing || !this.window.pending) return;
    this.committing = (async () => {
      while (this.window.pending) {
        const offsets = this.window.takeCommits();
        try {
          await this.consumer.commit(offsets);
          this.window.committed(offsets);
          this.wakeAll("space");
        } catch (error) {
          // Kept unless newer ones came meanwhile; the next ack sends them again.
          this.window.failed(offsets);
          this.options.log.warn(
            `committing offsets failed (retried with the next ones): ${errorMessage(error)}`,
          );
          break;
        }
      }
    })().finally(() => {
      this.committing = undefined;
    });
  }

  private wakeAll(which: "data" | "space"): void {
    const waiters = which === "data" ? this.waiters : this.spaceWaiters;
    if (which === "data") this.waiters = [];
    else this.spaceWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
