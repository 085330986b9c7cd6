import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from "kafkajs";
import type { WeirRecord } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { Logger } from "../../logger";
import type { NodeInput } from "../edge-transport";
import { decodeRecord } from "./record-codec";

/** Messages handed on at a time; the offset after a chunk is committed once all of it is acked. */
const CHUNK = 500;
/** Keeps the group membership alive while a chunk waits to be processed. */
const HEARTBEAT_MS = 1_000;

/** The records of one chunk of one partition still waiting for their ack. */
interface Chunk {
  remaining: number;
  acked: () => void;
}

export type Decoded = { ok: true; record: WeirRecord } | { ok: false; record: WeirRecord; error: string };

export interface KafkaInputOptions {
  groupId: string;
  topics: readonly string[];
  /** Where a group without committed offsets starts. */
  fromBeginning: boolean;
  /** Message → record; edge topics by default, a Kafka source's own mapping when reading its topics. */
  decode?: (message: KafkaMessage, where: { topic: string; partition: number }) => Decoded;
  /** Called with the number of records handed on (a Kafka source's stats when reading its topics). */
  handedOn?: (count: number) => void;
  sessionTimeoutMs: number;
  /** Partitions whose batches are handed on at the same time. */
  concurrency: number;
  /** Where this instance reports its lag, by `topic/partition`. */
  lag: Map<string, number>;
  /** A message that is not a record (someone else wrote to the topic): dead-lettered, then skipped. */
  undecodable(record: WeirRecord, error: string): void;
  log: Logger;
}

/**
 * One member of a node's consumer group. kafkajs fetches; each partition's batch is cut into
 * chunks that wait here until the node has taken them and acked them (their outputs are in
 * Kafka, or they were dead-lettered); only then is the chunk's offset resolved and committed.
 * A crash therefore replays from the last committed chunk: at least once, in order per partition.
 */
export class KafkaNodeInput implements NodeInput {
  private readonly consumer: Consumer;
  private buffer: { record: WeirRecord; chunk: Chunk }[] = [];
  private taken: Chunk[] = [];
  private waiters: (() => void)[] = [];
  /** Chunks whose eachBatch call is waiting; released at once on stop. */
  private readonly waiting = new Set<Chunk>();
  private stopped = false;

  constructor(
    kafka: Kafka,
    private readonly options: KafkaInputOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 10)),
      allowAutoTopicCreation: false,
    });
    // A partition this member no longer owns is someone else's to report.
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      const owned = new Set<string>();
      for (const [topic, partitions] of Object.entries(event.payload.memberAssignment))
        for (const partition of partitions) owned.add(`${topic}/${String(partition)}`);
      for (const key of [...options.lag.keys()]) if (!owned.has(key)) options.lag.delete(key);
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      options.log.warn(
        `consumer ${options.groupId} crashed (${errorMessage(event.payload.error)}); ${event.payload.restart ? "restarting" : "not restarting"}`,
      );
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...this.options.topics],
      fromBeginning: this.options.fromBeginning,
    });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.concurrency,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  async take(max: number): Promise<WeirRecord[] | null> {
    for (;;) {
      if (this.stopped) return null;
      if (this.buffer.length > 0) {
        const items = this.buffer.splice(0, max);
        for (const item of items) this.taken.push(item.chunk);
        return items.map((item) => item.record);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  ack(): Promise<void> {
    for (const chunk of this.taken) if (--chunk.remaining === 0) chunk.acked();
    this.taken = [];
    return Promise.resolve();
  }

  /** Ends `take`; what is buffered or unacked stays uncommitted and is consumed again later. */
  stop(): void {
    this.stopped = true;
    this.buffer = [];
    for (const chunk of this.waiting) chunk.acked();
    this.wake();
  }

  async close(): Promise<void> {
    this.stop();
    await this.consumer.disconnect();
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const where = `${batch.topic}/${String(batch.partition)}`;
    const highWatermark = Number(batch.highWatermark);
    for (let start = 0; start < batch.messages.length; start += CHUNK) {
      if (this.stopped || !payload.isRunning() || payload.isStale()) return;
      const messages = batch.messages.slice(start, start + CHUNK);
      const first = messages[0];
      const last = messages.at(-1);
      if (!first || !last) return;
      this.options.lag.set(where, Math.max(0, highWatermark - Number(first.offset)));
      const records: WeirRecord[] = [];
      for (const message of messages) {
        const decoded = this.decode(message, { topic: batch.topic, partition: batch.partition });
        if (decoded.ok) records.push(decoded.record);
        else this.options.undecodable(decoded.record, decoded.error);
      }
      this.options.handedOn?.(records.length);
      if (records.length > 0 && !(await this.handOn(records, payload))) return;
      payload.resolveOffset(last.offset);
      this.options.lag.set(where, Math.max(0, highWatermark - Number(last.offset) - 1));
      await payload.commitOffsetsIfNecessary();
    }
  }

  private decode(message: KafkaMessage, where: { topic: string; partition: number }): Decoded {
    if (this.options.decode) return this.options.decode(message, where);
    try {
      return { ok: true, record: decodeRecord(message) };
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

  /** Buffers a chunk and waits until it is acked; false when this input stopped first. */
  private async handOn(records: readonly WeirRecord[], payload: EachBatchPayload): Promise<boolean> {
    let acked = (): void => undefined;
    const done = new Promise<boolean>((resolve) => {
      acked = () => {
        resolve(true);
      };
    });
    const chunk: Chunk = { remaining: records.length, acked };
    if (this.stopped) return false;
    this.waiting.add(chunk);
    for (const record of records) this.buffer.push({ record, chunk });
    this.wake();
    const beat = setInterval(() => {
      payload.heartbeat().catch(() => undefined);
    }, HEARTBEAT_MS);
    try {
      await done;
      return !this.stopped;
    } finally {
      clearInterval(beat);
      this.waiting.delete(chunk);
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
