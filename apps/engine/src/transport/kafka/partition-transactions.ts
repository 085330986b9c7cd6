// The commit side of an exactly-once input (transactional-input.ts is the fetch side): this
// member's hold on each input partition (a producer whose transactional id belongs to the
// partition) and the transactions that commit a batch's outputs, its state changes (the node's
// changelog, state-changelog.ts) and the partition's next offset together. A new owner of a
// partition initialises the same id first: that fences every earlier producer of the partition
// and ends its open transaction, and only then is the committed offset read and the partition's
// state restored. So a crash or a zombie engine can neither lose nor double an output or a
// state change.
import type { Admin, Kafka, Producer, TopicMessages } from "kafkajs";
import { Partitioners } from "kafkajs";
import type { JsonValue, StateWrite } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { Logger } from "../../logger";
import type { StateChangelog } from "./state-changelog";

/** Messages per produce request inside a transaction (as the at-least-once writer). */
const MESSAGES_PER_REQUEST = 500;
const RETRY_MAX_MS = 5_000;
const STABLE_READ_MS = 250;

/** This member's hold on one input partition, from one join of the group. */
export interface Owner {
  key: string;
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
  /**
   * The partition's function state: what its changelog holds (restored on first use, after the
   * fence) plus the writes of batches taken since, committed or not. Work that is thrown away
   * goes with its owner, and the next owner restores from the changelog again.
   */
  state: Promise<Map<string, JsonValue>> | undefined;
  /** The producer runs one transaction at a time: a restore's marker and the batches' commits queue here. */
  transactions: Promise<unknown>;
}

/** A batch taken by the node: what commits with it once the node acks it. */
export interface Taken {
  key: string;
  generation: number;
  epoch: number;
  /** The partition's next offset to read once this batch is done. */
  next: string;
  staged: TopicMessages[];
  delivered: (() => void)[];
  /** The state changes of the batch's successful records, in order. */
  stateWrites: StateWrite[];
}

export interface PartitionTransactionsOptions {
  kafka: Kafka;
  groupId: string;
  /** Transactional ids are `<prefix>.<topic>.<partition>`: one per input partition. */
  transactionalIdPrefix: string;
  changelog: StateChangelog;
  lag: Map<string, number>;
  log: Logger;
  /** The member's current join: work from an earlier one is never committed. */
  generation(): number;
  /** Drops this member's work and makes it leave and join its group again. */
  rejoin(): void;
  stopped(): boolean;
  /** After a commit: the state changes it made durable, by changelog partition. */
  stateCommitted?(changelogPartition: number, writes: readonly StateWrite[]): void;
}

export class PartitionTransactions {
  readonly owners = new Map<string, Owner>();
  private admin: Promise<Admin> | undefined;
  /** Per partition, the offset this member's last transaction committed (kafkajs cannot ask for stable offsets). */
  private readonly committedHere = new Map<string, number>();
  /** Each owner's epoch is new: work of a replaced owner never matches its successor. */
  private epochs = 0;

  constructor(private readonly options: PartitionTransactionsOptions) {}

  /** Lets go of the partitions this member no longer owns after a join. */
  release(owned: ReadonlySet<string>): void {
    for (const [key, owner] of this.owners) {
      if (owned.has(key)) continue;
      // Someone else's now; its new owner fences this producer anyway.
      this.owners.delete(key);
      disconnect(owner);
    }
  }

  /**
   * This member's hold on a partition for the current join. The first batch after a join makes a
   * fresh producer for the partition's transactional id, which fences every earlier producer of
   * it (this engine's own from before the join, or a zombie's) and aborts or completes its open
   * transaction; the committed offset read after that is final.
   */
  async ownerOf(topic: string, partition: number, generation: number): Promise<Owner | undefined> {
    const key = `${topic}/${String(partition)}`;
    const held = this.owners.get(key);
    let owner = held;
    if (held?.generation !== generation) {
      if (held) disconnect(held);
      owner = this.newOwner(topic, partition, generation, ++this.epochs);
      this.owners.set(key, owner);
    }
    if (!owner) return undefined;
    try {
      await owner.ready;
    } catch (error) {
      if (this.owners.get(key) === owner) this.owners.delete(key);
      // Fenced while taking over: another engine owns the partition now (or this one is the zombie).
      if (isFenced(error)) {
        this.options.log.warn(
          `exactly-once: ${key} was taken over while this member took it: ${errorMessage(error)}`,
        );
        this.options.rejoin();
        return undefined;
      }
      this.options.log.warn(`taking over ${key} for exactly-once failed (retried): ${errorMessage(error)}`);
      await sleep(500);
      return undefined;
    }
    return this.options.generation() === generation ? owner : undefined;
  }

  /** Whether a batch's work still belongs to the partition's current owner. */
  current(batch: { key: string; generation: number; epoch: number }): Owner | undefined {
    const owner = this.owners.get(batch.key);
    if (
      !owner ||
      batch.generation !== this.options.generation() ||
      owner.generation !== batch.generation ||
      owner.epoch !== batch.epoch
    )
      return undefined;
    return owner;
  }

  /**
   * The partition's state, restored from the changelog when the owner takes the partition (see
   * settle): the restore's marker is written by the owner's producer (after its fence), so every
   * earlier transaction of the partition is decided by then and the read_committed read up to
   * the marker is complete.
   */
  stateOf(owner: Owner): Promise<Map<string, JsonValue>> {
    owner.state ??= this.inTransactionOrder(owner, async () => {
      const index = this.options.changelog.partitionOf(owner.topic, owner.partition);
      const restored = await this.options.changelog.restore(
        await owner.producer,
        index,
        await this.adminClient(),
      );
      this.options.log.info(
        `exactly-once: restored ${String(restored.size)} state key(s) of ${owner.key} from its changelog`,
      );
      // The materialised view catches up with what the changelog holds.
      this.options.stateCommitted?.(
        index,
        [...restored].map(([key, value]) => ({ key, value })),
      );
      return restored;
    });
    owner.state.catch(() => {
      // Restored again by the partition's next owner (ownerOf retries, or rejoins when fenced).
      owner.state = undefined;
    });
    return owner.state;
  }

  /** Commits a batch: its outputs, its state changes and its partition's next offset, in one transaction. */
  async commit(batch: Taken): Promise<void> {
    const [topic, partition] = splitKey(batch.key);
    const index = this.options.changelog.partitionOf(topic, Number(partition));
    const changelogMessages = batch.stateWrites.map((write) => this.options.changelog.encode(write, index));
    for (let attempt = 1; ; attempt++) {
      // Work from before a rejoin, or thrown away: whoever owns the partition now reads it again.
      const owner = this.current(batch);
      if (!owner) return;
      try {
        await this.inTransactionOrder(owner, async () => {
          const producer = await owner.producer;
          const transaction = await producer.transaction();
          try {
            const outputs =
              changelogMessages.length > 0
                ? [...batch.staged, { topic: this.options.changelog.topic, messages: changelogMessages }]
                : batch.staged;
            for (const request of splitRequests(outputs))
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
        });
        this.committed(owner, batch, index);
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
          this.options.rejoin();
          return;
        }
        // Stopping: left uncommitted, the batch is read again by the next run (nothing lost, nothing doubled).
        if (this.options.stopped()) {
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
        const landed = await this.landed(owner, batch);
        if (landed === "ours") this.committed(owner, batch, index);
        if (landed !== "no") return;
      }
    }
  }

  async close(): Promise<void> {
    const owners = [...this.owners.values()];
    this.owners.clear();
    await Promise.allSettled([
      ...owners.map(async (owner) => (await owner.producer).disconnect()),
      this.admin?.then((admin) => admin.disconnect()),
    ]);
  }

  private committed(owner: Owner, batch: Taken, index: number): void {
    owner.position = Number(batch.next);
    this.committedHere.set(batch.key, Math.max(this.committedHere.get(batch.key) ?? 0, Number(batch.next)));
    for (const delivered of batch.delivered) delivered();
    this.options.lag.set(batch.key, Math.max(0, owner.highWatermark - Number(batch.next)));
    if (batch.stateWrites.length > 0) this.options.stateCommitted?.(index, batch.stateWrites);
  }

  /** Runs `work` after the owner's earlier transactions: its producer has one open at a time. */
  private inTransactionOrder<T>(owner: Owner, work: () => Promise<T>): Promise<T> {
    const result = owner.transactions.then(work, work);
    owner.transactions = result.catch(() => undefined);
    return result;
  }

  private newOwner(topic: string, partition: number, generation: number, epoch: number): Owner {
    const key = `${topic}/${String(partition)}`;
    const producer = this.initialisedProducer(topic, partition);
    const owner: Owner = {
      key,
      topic,
      partition,
      generation,
      epoch,
      producer,
      floor: 0,
      position: 0,
      highWatermark: 0,
      ready: Promise.resolve(),
      state: undefined,
      transactions: Promise.resolve(),
    };
    owner.ready = this.settle(owner);
    return owner;
  }

  private initialisedProducer(topic: string, partition: number): Promise<Producer> {
    const producer = (async () => {
      const made = this.options.kafka.producer({
        transactionalId: `${this.options.transactionalIdPrefix}.${topic}.${String(partition)}`,
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 5 },
      });
      await made.connect();
      // The fence. kafkajs' connect() does not do it: it asks for a producer id *without* the
      // transactional id (as an idempotent producer), and InitProducerId with the id runs only
      // at the first transaction(). Left to then (the first commit, after the committed offset
      // was read and the batch processed), a zombie still holding the id could commit between
      // that read and the fence, and its batch would be processed twice. So a transaction is
      // begun here (InitProducerId with the id: it bumps the epoch, fencing every earlier
      // producer of the id, and waits until their open transaction is aborted or completed) and
      // ended at once (nothing was added to it, so nothing is sent).
      const fence = await made.transaction();
      await fence.abort();
      return made;
    })();
    producer.catch(() => undefined);
    return producer;
  }

  private settle(owner: Owner): Promise<void> {
    const ready = (async () => {
      await owner.producer;
      owner.floor = await this.stableOffset(owner.topic, owner.partition);
      owner.position = owner.floor;
      // Restored before any record of the partition is handed on, so ctx.state.get never waits
      // for Kafka inside a function's call: that wait counted against the call's time limit, and
      // a restore slower than it (a broker just restarted, a loaded machine) failed records until
      // they were dead-lettered, each a state change lost from the exactly-once count.
      await this.stateOf(owner);
    })();
    ready.catch(() => undefined);
    return ready;
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

  private adminClient(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.options.kafka.admin();
      await admin.connect();
      return admin;
    })();
    return this.admin;
  }

  private async committedOffset(topic: string, partition: number): Promise<number> {
    const admin = await this.adminClient();
    const topics = await admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] });
    const offset = topics[0]?.partitions.find((p) => p.partition === partition)?.offset ?? "-1";
    return Math.max(0, Number(offset));
  }

  /**
   * After an unclear failure: re-initialises the partition's producer (ending the transaction
   * either way) and reads the committed offset: "ours" when the batch is in, "no" when it is not
   * and this member still holds the partition, "elsewhere" when another member committed it.
   */
  private async landed(owner: Owner, batch: Taken): Promise<"ours" | "no" | "elsewhere"> {
    disconnect(owner);
    owner.producer = this.initialisedProducer(owner.topic, owner.partition);
    const check = (async () => {
      await owner.producer;
      return this.stableOffset(owner.topic, owner.partition);
    })();
    owner.ready = check.then(() => undefined);
    owner.ready.catch(() => undefined);
    let floor: number;
    try {
      floor = await check;
    } catch {
      return "no";
    }
    // Ours landed, or ours was aborted and nobody else committed: this member still holds the partition.
    if (floor === Number(batch.next)) return "ours";
    if (floor === owner.position) return "no";
    // Someone else committed this partition meanwhile (it was given to another member, and this
    // one is the zombie): everything this member holds may be done already. Drop it all and rejoin.
    this.options.log.warn(
      `exactly-once: ${batch.key} was committed elsewhere (at ${String(floor)}, expected ${String(owner.position)} or ${batch.next}); its work here is dropped`,
    );
    this.options.rejoin();
    return "elsewhere";
  }
}

function disconnect(owner: Owner): void {
  void owner.producer.then((p) => p.disconnect()).catch(() => undefined);
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
