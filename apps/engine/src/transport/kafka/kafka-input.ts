import type { KafkaMessage } from "kafkajs";
import type { WeirRecord } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { Logger } from "../../logger";
import type { NodeInput } from "../edge-transport";
import type { BatchControl, CommitOffset, EdgeClient, EdgeConsumer, IncomingBatch } from "./edge-client";
import { ValueReassembler } from "../values/value-reassembler";
import type { EdgeMessageFrame } from "../values/chunk-codec";
import { VALUE_KIND_HEADER } from "../values/value-codec";
import { decodeFrame, decodeRecord, frameOf } from "./record-codec";

/** Messages handed on at a time; a chunk's offset is committed once all of it (and all before it) is acked. */
export const CHUNK = 500;
/**
 * The fetch-ahead window: messages one member has handed on to its node and not yet seen
 * committed by the broker (buffered, being processed, or acked with the commit on its way).
 * Fetching waits beyond it. A member that loses its partitions (its engine dies, or a rebalance)
 * leaves at most this many records to be read again, so it bounds the duplicates of
 * at-least-once delivery: at most MAX_UNCOMMITTED per member per such event.
 */
export const MAX_UNCOMMITTED = 4 * CHUNK;
/**
 * The same window in value bytes, so large records (a split value is up to WEIR_KAFKA_CHUNK_BYTES
 * per message) cannot fill memory: chunks of values still incomplete do not count against either
 * bound (the partition's reassembly limit bounds them, and a value must be able to complete).
 */
export const MAX_UNCOMMITTED_BYTES = 64 * 1024 * 1024;
/** WEIR_KAFKA_MAX_VALUE_BYTES unless set: the bytes of split values one partition's reader may hold. */
export const DEFAULT_MAX_VALUE_BYTES = 64 * 1024 * 1024;
const HEARTBEAT_MS = 1_000;
/**
 * A split value that got no chunk for this long while later messages came on its partition is
 * given up (its writer died mid-value and writes it whole again), so it stops holding commits back.
 */
export const ABANDON_VALUE_MS = 60_000;

/** The records of one chunk of one partition still waiting for their ack. */
interface Chunk {
  partition: string;
  topic: string;
  partitionNumber: number;
  /** The offset to commit once this chunk and every earlier one of its partition are acked. */
  next: string;
  /** Its messages, decodable or not: what it adds to the uncommitted window. */
  size: number;
  /** Their value bytes. */
  bytes: number;
  /**
   * Records (or values still being put together whose first chunk is here) not yet acked or
   * dead-lettered: a split value holds the chunk of its first message until it is processed, so
   * no commit passes a value's first chunk before the whole value is done.
   */
  remaining: number;
  highWatermark: number;
  /** Handed on before the member rejoined its group: it is never committed (the group reads it again). */
  orphan: boolean;
}

export type Decoded = { ok: true; record: WeirRecord } | { ok: false; record: WeirRecord; error: string };

export interface KafkaInputOptions {
  groupId: string;
  topics: readonly string[];
  /** Where a group without committed offsets starts. */
  fromBeginning: boolean;
  /** Message → record; edge topics by default, a Kafka source's own mapping when reading its topics. */
  decode?: (message: KafkaMessage, where: { topic: string; partition: number }) => Decoded;
  /**
   * Before `decode` sees a chunk (a Kafka source with valueFormat "registry" fetches the schemas
   * it names). A failure is retried, the chunk waiting: nothing is dead-lettered for it.
   */
  prepare?: (messages: readonly KafkaMessage[]) => Promise<void>;
  /**
   * Edge topics: split values (values/chunk-codec.ts) are put back together before decoding, each
   * partition holding at most this many bytes of incomplete values (beyond: dead-lettered).
   */
  maxValueBytes?: number;
  /** Called with the number of records handed on (a Kafka source's stats when reading its topics). */
  handedOn?: (count: number) => void;
  sessionTimeoutMs: number;
  /** Partitions whose batches are handed on at the same time. */
  concurrency: number;
  /** Where this instance reports its lag, by `topic/partition`. */
  lag: Map<string, number>;
  /**
   * A message that is not a record (someone else wrote to the topic): dead-lettered, then
   * skipped; resolves once the dead letter is stored.
   */
  undecodable(record: WeirRecord, error: string): Promise<void>;
  log: Logger;
}

/**
 * One member of a node's consumer group, on either client (edge-client.ts). The client fetches
 * ahead; what is handed on stays within MAX_UNCOMMITTED;
 * each partition's batch is cut into chunks, and a chunk's offset is committed only once the
 * node acked every record of it and of the chunks before it (their outputs are in Kafka, or they
 * were dead-lettered). A crash therefore replays from the last committed chunk: at least once,
 * in order per partition. A rebalance may also repeat records: what the node holds when its
 * member rejoins is still processed, and read again from the last commit (here or elsewhere).
 * Either way at most MAX_UNCOMMITTED records per member come twice.
 */
export class KafkaNodeInput implements NodeInput {
  private readonly consumer: EdgeConsumer;
  /** Per partition, the offset after the last chunk committed or settled: where its lag counts from. */
  private readonly committedNext = new Map<string, number>();
  private buffer: { record: WeirRecord; chunk: Chunk }[] = [];
  /** Per batch taken and not yet acked, oldest first: each record's chunk. */
  private taken: Chunk[][] = [];
  private waiters: (() => void)[] = [];
  private spaceWaiters: (() => void)[] = [];
  /** Per partition, its chunks handed on and not yet committed, oldest first. */
  private readonly open = new Map<string, Chunk[]>();
  /** Offsets to commit, by partition; a commit loop sends them. */
  private readonly toCommit = new Map<string, CommitOffset>();
  /** Per partition, settled chunks whose commit the broker has not confirmed yet, oldest first. */
  private readonly committingChunks = new Map<string, Chunk[]>();
  /** Messages handed on and not yet committed (see MAX_UNCOMMITTED). */
  private uncommitted = 0;
  /** Their value bytes (see MAX_UNCOMMITTED_BYTES). */
  private uncommittedBytes = 0;
  /** Per partition, split values being put back together (edge topics only). */
  private readonly reassemblers = new Map<string, ValueReassembler<Chunk>>();
  /** Counts the member's joins: a batch from before the last one hands nothing more on. */
  private generation = 0;
  private committing: Promise<void> | undefined;
  private stopped = false;

  constructor(
    client: EdgeClient,
    private readonly options: KafkaInputOptions,
  ) {
    this.consumer = client.consumer({
      groupId: options.groupId,
      topics: options.topics,
      fromBeginning: options.fromBeginning,
      sessionTimeoutMs: options.sessionTimeoutMs,
      concurrency: options.concurrency,
    });
  }

  async start(): Promise<void> {
    await this.consumer.start({
      batch: (batch, control) => this.eachBatch(batch, control),
      joined: (owned) => {
        this.rejoined();
        // Said at info: each join after the first may repeat up to MAX_UNCOMMITTED records (the fault tests count them).
        this.options.log.info(
          `joined consumer group ${this.options.groupId} (join ${String(this.generation)})`,
        );
        // A partition this member no longer owns is someone else's to report.
        for (const key of [...this.options.lag.keys()]) if (!owned.has(key)) this.options.lag.delete(key);
      },
      watermarks: (ends) => {
        for (const [where, end] of ends) {
          const next = this.committedNext.get(where);
          if (next !== undefined) this.options.lag.set(where, Math.max(0, end - next));
        }
      },
      log: this.options.log,
    });
  }

  async take(max: number): Promise<WeirRecord[] | null> {
    for (;;) {
      if (this.stopped) return null;
      if (this.buffer.length > 0) {
        const items = this.buffer.splice(0, max);
        this.taken.push(items.map((item) => item.chunk));
        this.wakeAll("space");
        return items.map((item) => item.record);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * The oldest batch taken is handled: chunks whose records are all acked, and every chunk
   * before them in their partition, get their offsets committed (in the background; a commit that
   * fails is retried with the next one, and a lost commit only means records are read again).
   */
  ack(): Promise<void> {
    const touched = new Set<string>();
    for (const chunk of this.taken.shift() ?? []) {
      if (chunk.orphan) {
        this.uncommitted--;
        continue;
      }
      chunk.remaining--;
      touched.add(chunk.partition);
    }
    for (const partition of touched) this.settle(partition);
    this.flushCommits();
    return Promise.resolve();
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
    const where = `${batch.topic}/${String(batch.partition)}`;
    const at = { topic: batch.topic, partition: batch.partition };
    const highWatermark = batch.highWatermark ?? 0;
    const generation = this.generation;
    for (let start = 0; start < batch.messages.length; start += CHUNK) {
      const messages = batch.messages.slice(start, start + CHUNK);
      const last = messages.at(-1);
      if (!last) return;
      const bytes = messages.reduce((sum, message) => sum + (message.value?.byteLength ?? 0), 0);
      if (!(await this.roomOrStop(control, messages.length, bytes, generation))) return;
      if (!control.alive()) return;
      if (!(await this.prepared(control, messages, generation))) return;
      const chunk: Chunk = {
        partition: where,
        topic: batch.topic,
        partitionNumber: batch.partition,
        next: String(Number(last.offset) + 1),
        size: messages.length,
        bytes,
        remaining: 0,
        highWatermark,
        orphan: false,
      };
      const records: { record: WeirRecord; chunk: Chunk }[] = [];
      const deadLettered: Promise<void>[] = [];
      /** Chunks held by values that failed: released once their dead letters are stored. */
      const released: Chunk[] = [];
      const reassembler = this.reassemblerOf(where);
      for (const message of messages) {
        if (!reassembler) {
          const decoded = this.decode(message, at);
          if (decoded.ok) {
            records.push({ record: decoded.record, chunk });
            chunk.remaining++;
          } else deadLettered.push(this.options.undecodable(decoded.record, decoded.error));
          continue;
        }
        const frame = frameOf(message);
        const out = reassembler.accept(frame, chunk);
        const place = `${where}@${message.offset}`;
        if (out.kind === "held") {
          if (out.first) chunk.remaining++;
        } else if (out.kind === "failed") {
          deadLettered.push(this.options.undecodable(unassembled(out.message), `${place}: ${out.error}`));
          if (out.owner) released.push(out.owner);
        } else if (out.kind === "whole") {
          if (out.message === frame) {
            const decoded = this.decode(message, at, frame);
            if (decoded.ok) {
              records.push({ record: decoded.record, chunk });
              chunk.remaining++;
            } else deadLettered.push(this.options.undecodable(decoded.record, decoded.error));
            continue;
          }
          // A value put back together is its first chunk's record, already counted there.
          try {
            records.push({ record: decodeFrame(out.message), chunk: out.owner });
          } catch (error) {
            deadLettered.push(
              this.options.undecodable(unassembled(out.message), `${place}: ${errorMessage(error)}`),
            );
            released.push(out.owner);
          }
        }
      }
      for (const gone of reassembler?.abandon(Date.now(), ABANDON_VALUE_MS) ?? []) {
        released.push(gone.owner);
        this.options.log.warn(
          `gave up on split value ${gone.id} on ${where} after ${String(gone.parts)} chunks (${String(gone.bytes)} bytes): ` +
            `nothing more of it for ${String(ABANDON_VALUE_MS / 1000)} s while later messages came (its writer stopped mid-value and writes it again)`,
        );
      }
      // The chunk may be committed once its records are acked, and its undecodable ones stored.
      await Promise.all(deadLettered);
      if (generation !== this.generation) return;
      this.options.handedOn?.(records.length);
      for (const owner of released) owner.remaining--;
      this.uncommitted += chunk.size;
      this.uncommittedBytes += chunk.bytes;
      const open = this.open.get(where) ?? [];
      open.push(chunk);
      this.open.set(where, open);
      this.options.lag.set(where, Math.max(0, highWatermark - Number(messages[0]?.offset ?? last.offset)));
      this.buffer.push(...records);
      // A chunk with nothing to ack (undecodable records, or chunks of values that go on) is done in its turn.
      this.settle(where);
      this.flushCommits();
      control.resolved(last.offset);
      this.wakeAll("data");
    }
  }

  /** The partition's reassembler, when this input reads edge topics (made on first use). */
  private reassemblerOf(where: string): ValueReassembler<Chunk> | undefined {
    const max = this.options.maxValueBytes;
    if (max === undefined) return undefined;
    let reassembler = this.reassemblers.get(where);
    if (!reassembler) {
      reassembler = new ValueReassembler<Chunk>(max);
      this.reassemblers.set(where, reassembler);
    }
    return reassembler;
  }

  /**
   * Waits, heartbeating, until `count` more messages of `bytes` fit in the uncommitted window; false when
   * this input stopped or the member rejoined meanwhile (the group reads the rest again). A
   * window with nothing in it takes any chunk, so a chunk larger than the window still moves.
   */
  private async roomOrStop(
    control: BatchControl,
    count: number,
    bytes: number,
    generation: number,
  ): Promise<boolean> {
    const full = (): boolean => {
      let heldParts = 0;
      let heldBytes = 0;
      for (const reassembler of this.reassemblers.values()) {
        heldParts += reassembler.parts;
        heldBytes += reassembler.bytes;
      }
      const messages = this.uncommitted - heldParts;
      return (
        messages > 0 &&
        (messages + count > MAX_UNCOMMITTED ||
          this.uncommittedBytes - heldBytes + bytes > MAX_UNCOMMITTED_BYTES)
      );
    };
    while (!this.stopped && generation === this.generation && full()) {
      await new Promise<void>((resolve) => {
        this.spaceWaiters.push(resolve);
        setTimeout(resolve, HEARTBEAT_MS);
      });
      await control.heartbeat().catch(() => undefined);
    }
    return !this.stopped && generation === this.generation;
  }

  /** Runs `prepare` until it succeeds; false when this input stopped or rejoined meanwhile. */
  private async prepared(
    control: BatchControl,
    messages: KafkaMessage[],
    generation: number,
  ): Promise<boolean> {
    const prepare = this.options.prepare;
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
   * chunks of the old assignment are never committed (their records come again). What the node
   * holds now is still processed; it counts in the window until acked.
   */
  private rejoined(): void {
    this.generation++;
    for (const chunks of [...this.open.values(), ...this.committingChunks.values()])
      for (const chunk of chunks) chunk.orphan = true;
    this.open.clear();
    this.committingChunks.clear();
    this.committedNext.clear();
    // Values half read are read again from their first chunk.
    this.reassemblers.clear();
    // Not handed on after all: they will be counted when they come again.
    if (this.buffer.length > 0) this.options.handedOn?.(-this.buffer.length);
    this.buffer = [];
    this.uncommitted = this.taken.reduce((sum, batch) => sum + batch.length, 0);
    // What the node still holds of the old assignment counts in messages only.
    this.uncommittedBytes = 0;
    this.wakeAll("space");
  }

  /** Moves the partition's commit point past the leading chunks that are fully acked. */
  private settle(partition: string): void {
    const open = this.open.get(partition);
    let done: Chunk | undefined;
    const committing = this.committingChunks.get(partition) ?? [];
    while (open?.[0]?.remaining === 0) {
      done = open.shift();
      if (done) committing.push(done);
    }
    if (!done) return;
    this.committingChunks.set(partition, committing);
    this.toCommit.set(partition, { topic: done.topic, partition: done.partitionNumber, offset: done.next });
    this.committedNext.set(partition, Number(done.next));
    this.options.lag.set(partition, Math.max(0, done.highWatermark - Number(done.next)));
  }

  private flushCommits(): void {
    if (this.committing || this.toCommit.size === 0) return;
    this.committing = (async () => {
      while (this.toCommit.size > 0) {
        const offsets = [...this.toCommit.values()];
        this.toCommit.clear();
        try {
          await this.consumer.commit(offsets);
          this.committed(offsets);
        } catch (error) {
          // Keep the offsets unless newer ones came meanwhile; the next ack sends them again.
          for (const o of offsets) {
            const key = `${o.topic}/${String(o.partition)}`;
            if (!this.toCommit.has(key)) this.toCommit.set(key, o);
          }
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

  /** The broker confirmed these offsets: their chunks leave the uncommitted window. */
  private committed(offsets: readonly CommitOffset[]): void {
    for (const { topic, partition, offset } of offsets) {
      const chunks = this.committingChunks.get(`${topic}/${String(partition)}`);
      while (chunks?.[0] && !chunks[0].orphan && Number(chunks[0].next) <= Number(offset)) {
        const chunk = chunks.shift();
        this.uncommitted -= chunk?.size ?? 0;
        this.uncommittedBytes -= chunk?.bytes ?? 0;
      }
    }
    this.wakeAll("space");
  }

  private decode(
    message: KafkaMessage,
    where: { topic: string; partition: number },
    frame?: EdgeMessageFrame,
  ): Decoded {
    if (this.options.decode) return this.options.decode(message, where);
    try {
      return { ok: true, record: frame ? decodeFrame(frame) : decodeRecord(message) };
    } catch (error) {
      return {
        ok: false,
        record: {
          key: message.key?.toString("utf8") ?? null,
          value: message.value?.toString("utf8") ?? null,
          headers: {},
          timestamp: Date.now(),
        },
        error: `${where.topic}/${String(where.partition)}@${message.offset}: ${errorMessage(error)}`,
      };
    }
  }

  private wakeAll(which: "data" | "space"): void {
    const waiters = which === "data" ? this.waiters : this.spaceWaiters;
    if (which === "data") this.waiters = [];
    else this.spaceWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** The dead letter of a value that could not be put together or decoded: its key and headers. */
function unassembled(frame: EdgeMessageFrame): WeirRecord {
  const headers = { ...frame.headers };
  Reflect.deleteProperty(headers, VALUE_KIND_HEADER);
  return { key: frame.key, value: null, headers, timestamp: Math.max(0, Number(frame.timestamp) || 0) };
}
