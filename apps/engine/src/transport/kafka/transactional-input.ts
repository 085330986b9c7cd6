// Exactly-once input of a function node on Kafka (flow setting `delivery: "exactly-once"`), the
// fetch side: one consumer group member reads the node's input partitions `read_committed`,
// decodes, and hands batches on, each from one partition. Its commit side
// (partition-transactions.ts) commits each batch's outputs (staged by the paired
// TransactionalNodeOutput), its function state changes (the node's changelog, state-changelog.ts)
// and the partition's next offset in one Kafka transaction of the partition's own producer.
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, TopicMessages } from "kafkajs";
import type { JsonValue, StateWrite, WeirRecord } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { Logger } from "../../logger";
import type { NodeInput } from "../edge-transport";
import type { Taken } from "./partition-transactions";
import { PartitionTransactions } from "./partition-transactions";
import { StateChangelog } from "./state-changelog";
import type { Decoded } from "./kafka-input";
import { CHUNK_HEADER } from "../values/chunk-codec";
import { decodeRecord } from "./record-codec";

/** Records handed on at a time per partition batch. */
const CHUNK = 500;
/** Records decoded and waiting for the node; fetching waits beyond it. */
const MAX_BUFFERED = 4 * CHUNK;
const HEARTBEAT_MS = 1_000;

export interface TransactionalInputOptions {
  /** The cluster the input topics are on; every output of the node must be on it too. */
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  fromBeginning: boolean;
  /** Transactional ids are `<prefix>.<topic>.<partition>`: one per input partition. */
  transactionalIdPrefix: string;
  decode?: (message: KafkaMessage, where: { topic: string; partition: number }) => Decoded;
  prepare?: (messages: readonly KafkaMessage[]) => Promise<void>;
  handedOn?: (count: number) => void;
  sessionTimeoutMs: number;
  concurrency: number;
  lag: Map<string, number>;
  /** Dead-letters a message that is not a record; resolves once it is stored. */
  undecodable(record: WeirRecord, error: string): Promise<void>;
  /** The node's function state changelog (`<node group>.state`, compacted, on the input's cluster). */
  stateTopic: string;
  replicationFactor?: number;
  log: Logger;
}

/** A committed state change handed to the materialised view, by changelog partition. */
export type StateCommitted = (changelogPartition: number, writes: readonly StateWrite[]) => void;

interface Chunk {
  key: string;
  generation: number;
  epoch: number;
  records: WeirRecord[];
  /** Each record's offset. */
  offsets: string[];
  /** The offset after the chunk's last message (decodable or not). */
  end: string;
}

export class TransactionalNodeInput implements NodeInput {
  private consumer: Consumer;
  private readonly changelog: StateChangelog;
  private readonly transactions: PartitionTransactions;
  private stateCommitted: StateCommitted | undefined;
  private buffer: Chunk[] = [];
  private buffered = 0;
  private readonly taken: Taken[] = [];
  private waiters: (() => void)[] = [];
  private spaceWaiters: (() => void)[] = [];
  /** Counts the member's joins: work from before the last one is never committed. */
  private generation = 0;
  private restarting: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: TransactionalInputOptions) {
    this.changelog = new StateChangelog({
      kafka: options.kafka,
      topic: options.stateTopic,
      inputs: options.topics,
      ...(options.replicationFactor ? { replicationFactor: options.replicationFactor } : {}),
      log: options.log,
    });
    this.transactions = new PartitionTransactions({
      kafka: options.kafka,
      groupId: options.groupId,
      transactionalIdPrefix: options.transactionalIdPrefix,
      changelog: this.changelog,
      lag: options.lag,
      log: options.log,
      generation: () => this.generation,
      rejoin: () => {
        this.rejoin();
      },
      stopped: () => this.stopped,
      stateCommitted: (partition, writes) => this.stateCommitted?.(partition, writes),
    });
    this.consumer = this.newConsumer();
  }

  /**
   * ctx.state of the function reading this input. State is per input partition: a read or
   * write belongs to the partition of the batch being processed (the one taken last; the
   * function runner processes a batch, then applies its state writes, before it takes the next),
   * and the writes of a batch commit in that batch's transaction. `committed` receives each
   * committed change (and each partition's restored state), for the materialised view.
   */
  functionState(committed: StateCommitted): {
    get(key: string): Promise<JsonValue | undefined>;
    apply(writes: readonly StateWrite[]): Promise<void>;
  } {
    this.stateCommitted = committed;
    const stateOfBatch = async (): Promise<{ batch: Taken; state: Map<string, JsonValue> } | undefined> => {
      const batch = this.taken.at(-1);
      if (!batch) return undefined;
      const owner = this.transactions.current(batch);
      // Work that will never commit (its partition changed hands): nothing it does is kept.
      if (!owner) return undefined;
      return { batch, state: await this.transactions.stateOf(owner) };
    };
    return {
      get: async (key) => {
        const held = await stateOfBatch();
        // A batch whose partition changed hands never commits: what it reads does not matter.
        return held?.state.get(key);
      },
      apply: async (writes) => {
        if (writes.length === 0) return;
        const held = await stateOfBatch();
        if (!held) return;
        for (const write of writes) {
          if ("delete" in write) held.state.delete(write.key);
          else held.state.set(write.key, write.value);
        }
        held.batch.stateWrites.push(...writes);
      },
    };
  }

  /** Which changelog partition an input partition's state is in (for the materialised view's keys). */
  changelogPartitionOf(topic: string, partition: number): number {
    return this.changelog.partitionOf(topic, partition);
  }

  private newConsumer(): Consumer {
    const { options } = this;
    const consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 10)),
      allowAutoTopicCreation: false,
      // Only what upstream transactions committed (kafkajs' default, stated because it matters).
      readUncommitted: false,
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      if (consumer !== this.consumer) return;
      this.generation++;
      const owned = new Set<string>();
      for (const [topic, partitions] of Object.entries(event.payload.memberAssignment))
        for (const partition of partitions) owned.add(`${topic}/${String(partition)}`);
      this.dropStale();
      this.transactions.release(owned);
      for (const key of [...this.options.lag.keys()]) if (!owned.has(key)) this.options.lag.delete(key);
      this.options.log.info(
        `joined consumer group ${this.options.groupId} (join ${String(this.generation)}, exactly-once)`,
      );
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.options.log.warn(
        `consumer ${this.options.groupId} crashed (${errorMessage(event.payload.error)}); ${event.payload.restart ? "restarting" : "not restarting"}`,
      );
    });
    return consumer;
  }

  async start(): Promise<void> {
    await this.changelog.prepare();
    await this.join();
  }

  private async join(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...this.options.topics],
      fromBeginning: this.options.fromBeginning,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.concurrency,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** The next records of one partition (never more than `max`), or null once stopped. */
  async take(max: number): Promise<WeirRecord[] | null> {
    for (;;) {
      if (this.stopped) return null;
      this.dropStale();
      const head = this.buffer[0];
      if (head) {
        const records = head.records.splice(0, max);
        head.offsets.splice(0, records.length);
        const next = head.offsets[0] ?? head.end;
        if (head.records.length === 0) this.buffer.shift();
        this.buffered -= records.length;
        this.wake("space");
        // A chunk of undecodable messages only: its offset commits with the partition's next batch.
        if (records.length === 0) continue;
        this.taken.push({
          key: head.key,
          generation: head.generation,
          epoch: head.epoch,
          next,
          staged: [],
          delivered: [],
          stateWrites: [],
        });
        return records;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * The outputs of the oldest batch taken and not yet acked (the function runner sends a batch's
   * outputs and then acks it, one batch at a time): they are produced in its transaction.
   */
  stage(topicMessages: readonly TopicMessages[], delivered?: () => void): void {
    const batch = this.taken[0];
    if (!batch) throw new Error("exactly-once: outputs sent with no batch taken");
    batch.staged.push(...topicMessages);
    if (delivered) batch.delivered.push(delivered);
  }

  /** Commits the oldest batch taken: its outputs, state changes and its partition's next offset, in one transaction. */
  async ack(): Promise<void> {
    const batch = this.taken.shift();
    if (batch) await this.transactions.commit(batch);
  }

  stop(): void {
    this.stopped = true;
    this.buffer = [];
    this.buffered = 0;
    this.wake("data");
    this.wake("space");
  }

  async close(): Promise<void> {
    this.stop();
    await this.restarting;
    await Promise.allSettled([this.consumer.disconnect(), this.transactions.close()]);
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const alive = () => payload.isRunning() && !payload.isStale() && !this.stopped;
    const generation = this.generation;
    // Taking a partition over (the fence, its committed offset, its state's restore) can take
    // seconds after a broker restart: the member heartbeats meanwhile, or its group drops it.
    const owner = await whileHeartbeating(
      payload,
      this.transactions.ownerOf(batch.topic, batch.partition, generation),
    );
    // Nothing resolved: the client fetches this batch again.
    if (!owner || !alive()) return;
    const key = `${batch.topic}/${String(batch.partition)}`;
    const epoch = owner.epoch;
    const current = () => alive() && this.generation === generation && owner.epoch === epoch;
    owner.highWatermark = Number(batch.highWatermark);
    const last = batch.messages.at(-1);
    if (!last) return;
    // Below the floor is what an earlier owner committed after this member's fetch position was set.
    const fresh = batch.messages.filter((message) => Number(message.offset) >= owner.floor);
    if (fresh.length < batch.messages.length)
      this.options.log.info(
        `exactly-once: skipped ${String(batch.messages.length - fresh.length)} record(s) of ${key} below its committed offset ${String(owner.floor)}`,
      );
    for (let start = 0; start < fresh.length; start += CHUNK) {
      const messages = fresh.slice(start, start + CHUNK);
      const end = messages.at(-1);
      if (!end) break;
      while (this.buffered + messages.length > MAX_BUFFERED && this.buffered > 0 && current()) {
        await Promise.race([
          new Promise<void>((resolve) => this.spaceWaiters.push(resolve)),
          new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS)),
        ]);
        await payload.heartbeat();
      }
      if (!current()) return;
      await this.options.prepare?.(messages);
      const records: WeirRecord[] = [];
      const offsets: string[] = [];
      const deadLettered: Promise<void>[] = [];
      for (const message of messages) {
        const decoded = this.decode(message, batch.topic, batch.partition);
        if (decoded.ok) {
          records.push(decoded.record);
          offsets.push(message.offset);
        } else deadLettered.push(this.options.undecodable(decoded.record, decoded.error));
      }
      // Dead letters live in Postgres, outside the transaction: stored before their offset may commit.
      await Promise.all(deadLettered);
      if (!current()) return;
      this.options.handedOn?.(records.length);
      this.buffer.push({ key, generation, epoch, records, offsets, end: String(Number(end.offset) + 1) });
      this.buffered += records.length;
      this.wake("data");
    }
    payload.resolveOffset(last.offset);
  }

  /**
   * This member's work in memory was fenced: it is dropped, and the member leaves and joins its
   * group again, so every partition it gets is read from its committed offset by a fresh owner
   * (which fences back if the group still gives it the partition; a zombie gets none).
   */
  private rejoin(): void {
    if (this.restarting || this.stopped) return;
    this.generation++;
    this.dropStale();
    const old = this.consumer;
    this.restarting = (async () => {
      await old.disconnect().catch(() => undefined);
      if (this.stopped) return;
      this.consumer = this.newConsumer();
      await this.join();
    })()
      .catch((error: unknown) => {
        this.options.log.error(
          `exactly-once: rejoining ${this.options.groupId} failed: ${errorMessage(error)}`,
        );
      })
      .finally(() => {
        this.restarting = undefined;
      });
  }

  /** Drops chunks from before the last join, or of a partition whose work was thrown away. */
  private dropStale(): void {
    const keep = this.buffer.filter((chunk) => {
      const owner = this.transactions.owners.get(chunk.key);
      return owner !== undefined && chunk.generation === this.generation && owner.epoch === chunk.epoch;
    });
    if (keep.length === this.buffer.length) return;
    this.buffer = keep;
    this.buffered = keep.reduce((sum, chunk) => sum + chunk.records.length, 0);
    this.wake("space");
  }

  private decode(message: KafkaMessage, topic: string, partition: number): Decoded {
    if (this.options.decode) return this.options.decode(message, { topic, partition });
    try {
      // A source or producer outside the transaction may have split a large value into chunks;
      // this input does not put them together, so each chunk is dead-lettered with the reason.
      if (message.headers?.[CHUNK_HEADER] !== undefined)
        throw new Error(
          "a chunk of a value split over WEIR_KAFKA_CHUNK_BYTES: exactly-once inputs take values of one message only",
        );
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
        error: `${topic}/${String(partition)}@${message.offset}: ${errorMessage(error)}`,
      };
    }
  }

  private wake(which: "data" | "space"): void {
    const waiters = which === "data" ? this.waiters : this.spaceWaiters;
    if (which === "data") this.waiters = [];
    else this.spaceWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

const TICK: unique symbol = Symbol("heartbeat");

/** Waits for `work`, heartbeating the member's group every HEARTBEAT_MS meanwhile. */
async function whileHeartbeating<T>(payload: EachBatchPayload, work: Promise<T>): Promise<T> {
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const tick = new Promise<typeof TICK>((resolve) => {
      timer = setTimeout(() => {
        resolve(TICK);
      }, HEARTBEAT_MS);
    });
    const next = await Promise.race([work, tick]).finally(() => {
      clearTimeout(timer);
    });
    if (next !== TICK) return next;
    await payload.heartbeat();
  }
}
