// Exactly-once input of a function node on Kafka (flow setting `delivery: "exactly-once"`).
// Each batch the node takes comes from one partition; its outputs (staged by the paired
// TransactionalNodeOutput) and the partition's next offset commit in one Kafka transaction,
// made by a producer whose transactional id belongs to that partition. A new owner of a
// partition (another engine after a rebalance, or this one after it rejoined) initialises the
// same id first: that fences every earlier producer of the partition and ends its open
// transaction, and only then is the committed offset read and trusted. So a crash or a zombie
// engine can neither lose an output nor commit one twice.
import type {
  Admin,
  Consumer,
  EachBatchPayload,
  Kafka,
  KafkaMessage,
  Producer,
  TopicMessages,
} from "kafkajs";
import { Partitioners } from "kafkajs";
import type { WeirRecord } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { Logger } from "../../logger";
import type { NodeInput } from "../edge-transport";
import type { Decoded } from "./kafka-input";
import { CHUNK_HEADER } from "../values/chunk-codec";
import { decodeRecord } from "./record-codec";

/** Records handed on at a time per partition batch. */
const CHUNK = 500;
/** Records decoded and waiting for the node; fetching waits beyond it. */
const MAX_BUFFERED = 4 * CHUNK;
/** Messages per produce request inside a transaction (as the at-least-once writer). */
const MESSAGES_PER_REQUEST = 500;
const HEARTBEAT_MS = 1_000;
const RETRY_MAX_MS = 5_000;
const STABLE_READ_MS = 250;

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
  log: Logger;
}

/** This engine's hold on one input partition, from one join of the group. */
interface Owner {
  topic: string;
  partition: number;
  generation: number;
  /** Bumped when the partition's work in memory is thrown away (its producer was fenced). */
  epoch: number;
  producer: Promise<Producer>;
  /** Resolves once the producer is initialised and `floor` read. */
  ready: Promise<void>;
  /** The committed offset once this owner fenced every earlier one: messages below it are done. */
  floor: number;
  /** The partition's committed offset as this owner last knew it: `floor`, then each of its commits. */
  position: number;
  highWatermark: number;
}

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

/** A batch taken by the node: what commits with it once the node acks it. */
interface Taken {
  key: string;
  generation: number;
  epoch: number;
  /** The partition's next offset to read once this batch is done. */
  next: string;
  staged: TopicMessages[];
  delivered: (() => void)[];
}

export class TransactionalNodeInput implements NodeInput {
  private consumer: Consumer;
  private admin: Promise<Admin> | undefined;
  private readonly owners = new Map<string, Owner>();
  /** Per partition, the offset this member's last transaction committed (kafkajs cannot ask for stable offsets). */
  private readonly committedHere = new Map<string, number>();
  private buffer: Chunk[] = [];
  private buffered = 0;
  private readonly taken: Taken[] = [];
  private waiters: (() => void)[] = [];
  private spaceWaiters: (() => void)[] = [];
  /** Counts the member's joins: work from before the last one is never committed. */
  private generation = 0;
  /** Each owner's epoch is new: work of a replaced owner never matches its successor. */
  private epochs = 0;
  private restarting: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: TransactionalInputOptions) {
    this.consumer = this.newConsumer();
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
      for (const [key, owner] of this.owners) {
        if (owned.has(key)) continue;
        // Someone else's now; its new owner fences this producer anyway.
        this.owners.delete(key);
        void owner.producer.then((p) => p.disconnect()).catch(() => undefined);
      }
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

  /** Commits the oldest batch taken: its outputs and its partition's next offset, in one transaction. */
  async ack(): Promise<void> {
    const batch = this.taken.shift();
    if (batch) await this.commit(batch);
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
    const producers = [...this.owners.values()].map((owner) => owner.producer);
    this.owners.clear();
    await Promise.allSettled([
      this.consumer.disconnect(),
      ...producers.map(async (producer) => (await producer).disconnect()),
      this.admin?.then((admin) => admin.disconnect()),
    ]);
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const alive = () => payload.isRunning() && !payload.isStale() && !this.stopped;
    const generation = this.generation;
    const owner = await this.ownerOf(batch.topic, batch.partition, generation);
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
   * This member's hold on a partition for the current join. The first batch after a join makes a
   * fresh producer for the partition's transactional id, which fences every earlier producer of
   * it (this engine's own from before the join, or a zombie's) and aborts or completes its open
   * transaction; the committed offset read after that is final.
   */
  private async ownerOf(topic: string, partition: number, generation: number): Promise<Owner | undefined> {
    const key = `${topic}/${String(partition)}`;
    const held = this.owners.get(key);
    let owner = held;
    if (held?.generation !== generation) {
      if (held) void held.producer.then((p) => p.disconnect()).catch(() => undefined);
      owner = this.newOwner(topic, partition, generation, ++this.epochs);
      this.owners.set(key, owner);
    }
    if (!owner) return undefined;
    try {
      await owner.ready;
    } catch (error) {
      this.options.log.warn(`taking over ${key} for exactly-once failed (retried): ${errorMessage(error)}`);
      if (this.owners.get(key) === owner) this.owners.delete(key);
      await sleep(500);
      return undefined;
    }
    return this.generation === generation ? owner : undefined;
  }

  private newOwner(topic: string, partition: number, generation: number, epoch: number): Owner {
    const producer = (async () => {
      const made = this.options.kafka.producer({
        transactionalId: `${this.options.transactionalIdPrefix}.${topic}.${String(partition)}`,
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 5 },
      });
      await made.connect();
      return made;
    })();
    const owner: Owner = {
      topic,
      partition,
      generation,
      epoch,
      producer,
      floor: 0,
      position: 0,
      highWatermark: 0,
      ready: Promise.resolve(),
    };
    owner.ready = (async () => {
      await producer;
      owner.floor = await this.stableOffset(topic, partition);
      owner.position = owner.floor;
    })();
    owner.ready.catch(() => undefined);
    return owner;
  }

  /**
   * The partition's committed offset once every earlier producer is fenced. The group
   * coordinator applies a completed transaction's offsets a moment after the transaction ends,
   * and kafkajs' OffsetFetch cannot wait for that (KIP-447's require_stable): so the offset is read
   * until two reads STABLE_READ_MS apart agree, and never below what this member committed itself.
   */
  private async stableOffset(topic: string, partition: number): Promise<number> {
    let last = await this.committedOffset(topic, partition);
    for (let reads = 1; reads < 10; reads++) {
      await sleep(STABLE_READ_MS);
      const again = await this.committedOffset(topic, partition);
      if (again === last) break;
      this.options.log.info(
        `exactly-once: committed offset of ${topic}/${String(partition)} moved from ${String(last)} to ${String(again)} while settling`,
      );
      last = again;
    }
    // Read last: a transaction of this member that ended while the producer was initialised counts.
    return Math.max(this.committedHere.get(`${topic}/${String(partition)}`) ?? 0, last);
  }

  private async committedOffset(topic: string, partition: number): Promise<number> {
    this.admin ??= (async () => {
      const admin = this.options.kafka.admin();
      await admin.connect();
      return admin;
    })();
    const admin = await this.admin;
    const topics = await admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] });
    const offset = topics[0]?.partitions.find((p) => p.partition === partition)?.offset ?? "-1";
    return Math.max(0, Number(offset));
  }

  private async commit(batch: Taken): Promise<void> {
    const [topic, partition] = splitKey(batch.key);
    for (let attempt = 1; ; attempt++) {
      const owner = this.owners.get(batch.key);
      // Work from before a rejoin, or thrown away: whoever owns the partition now reads it again.
      if (
        !owner ||
        batch.generation !== this.generation ||
        owner.generation !== batch.generation ||
        owner.epoch !== batch.epoch
      )
        return;
      try {
        const producer = await owner.producer;
        const transaction = await producer.transaction();
        try {
          for (const request of splitRequests(batch.staged))
            await transaction.sendBatch({ topicMessages: request, acks: -1 });
          await transaction.sendOffsets({
            consumerGroupId: this.options.groupId,
            topics: [{ topic, partitions: [{ partition: Number(partition), offset: batch.next }] }],
          });
          await transaction.commit();
        } catch (error) {
          if (transaction.isActive()) await transaction.abort().catch(() => undefined);
          throw error;
        }
        owner.position = Number(batch.next);
        this.committedHere.set(
          batch.key,
          Math.max(this.committedHere.get(batch.key) ?? 0, Number(batch.next)),
        );
        for (const delivered of batch.delivered) delivered();
        this.options.lag.set(batch.key, Math.max(0, owner.highWatermark - Number(batch.next)));
        if (attempt > 1) this.options.log.info(`committed after ${String(attempt)} attempts`);
        return;
      } catch (error) {
        if (
          owner.generation !== batch.generation ||
          owner.epoch !== batch.epoch ||
          this.owners.get(batch.key) !== owner
        )
          return;
        if (isFenced(error)) {
          // Another producer took the partition's id: another engine owns it now, or this one is the zombie.
          this.options.log.warn(
            `exactly-once: ${batch.key} was taken over (${errorMessage(error)}); its work here is dropped`,
          );
          this.rejoin();
          return;
        }
        // Stopping: left uncommitted, the batch is read again by the next run (nothing lost, nothing doubled).
        if (this.stopped) {
          this.options.log.warn(
            `exactly-once commit of ${batch.key} failed while stopping: ${errorMessage(error)}`,
          );
          return;
        }
        this.options.log.warn(
          `exactly-once commit of ${batch.key} failed (attempt ${String(attempt)}), retrying: ${errorMessage(error)}`,
        );
        await sleep(Math.min(RETRY_MAX_MS, 200 * 2 ** Math.min(attempt, 5)));
        // The commit may have landed without its answer: a fresh producer ends the transaction
        // either way, and the committed offset then tells whether this batch is in.
        if (await this.landed(owner, batch)) return;
      }
    }
  }

  /** After an unclear failure: re-initialises the partition's producer and reads the committed offset. */
  private async landed(owner: Owner, batch: Taken): Promise<boolean> {
    void owner.producer.then((p) => p.disconnect()).catch(() => undefined);
    const fresh = this.newOwner(owner.topic, owner.partition, owner.generation, owner.epoch);
    owner.producer = fresh.producer;
    owner.ready = fresh.ready;
    try {
      await fresh.ready;
    } catch {
      return false;
    }
    // Ours landed, or ours was aborted and nobody else committed: this member still holds the partition.
    if (fresh.floor === Number(batch.next)) {
      owner.position = fresh.floor;
      return true;
    }
    if (fresh.floor === owner.position) return false;
    // Someone else committed this partition meanwhile (it was given to another member, and this
    // one is the zombie): everything this member holds may be done already. Drop it all and rejoin.
    this.options.log.warn(
      `exactly-once: ${batch.key} was committed elsewhere (at ${String(fresh.floor)}, expected ${String(owner.position)} or ${batch.next}); its work here is dropped`,
    );
    this.rejoin();
    return true;
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
      await this.start();
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
      const owner = this.owners.get(chunk.key);
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

function splitKey(key: string): [string, string] {
  const at = key.lastIndexOf("/");
  return [key.slice(0, at), key.slice(at + 1)];
}

/** kafkajs' errors for a producer whose transactional id a newer producer took. */
export function isFenced(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; depth++) {
    const {
      type,
      originalError,
      cause: next,
    } = cause as { type?: unknown; originalError?: unknown; cause?: unknown };
    if (type === "INVALID_PRODUCER_EPOCH" || type === "PRODUCER_FENCED") return true;
    cause = originalError ?? next;
  }
  return false;
}

/** Cuts staged outputs into requests of at most MESSAGES_PER_REQUEST messages, in order. */
export function splitRequests(topicMessages: readonly TopicMessages[]): TopicMessages[][] {
  const requests: TopicMessages[][] = [];
  let current: TopicMessages[] = [];
  let size = 0;
  for (const { topic, messages } of topicMessages) {
    for (let start = 0; start < messages.length;) {
      const take = Math.min(MESSAGES_PER_REQUEST - size, messages.length - start);
      current.push({ topic, messages: messages.slice(start, start + take) });
      size += take;
      start += take;
      if (size === MESSAGES_PER_REQUEST) {
        requests.push(current);
        current = [];
        size = 0;
      }
    }
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
