// The function state of an exactly-once node, as a compacted Kafka topic (its changelog): each
// state change is a message keyed by the state key (a delete is a tombstone), produced in the
// transaction that commits the batch which made it. State is scoped to the input partition:
// the records of input partition p read and write the state of changelog partition partitionOf(p),
// which only p's transactional producer ever writes. So whoever owns p next fences that producer,
// and a read_committed read of that one changelog partition is then exactly the state left by
// the batches whose offsets committed: a crash at any instant neither loses nor doubles a change.
import { randomUUID } from "node:crypto";
import type { Admin, Kafka, Message, Producer } from "kafkajs";
import type { JsonValue, StateWrite } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { Logger } from "../../logger";

/**
 * A restore's marker: a key that is not UTF-8 (a 0xff byte), so no state key can be it, and
 * compaction keeps only the latest marker of a partition.
 */
const MARKER_KEY = Buffer.from([0xff, 0x6d]);
const RESTORE_TIMEOUT_MS = 60_000;

export interface StateChangelogOptions {
  kafka: Kafka;
  /** `<node group>.state`. */
  topic: string;
  /** The node's input topics. */
  inputs: readonly string[];
  replicationFactor?: number;
  log: Logger;
}

export class StateChangelog {
  readonly topic: string;
  /** Each input topic's first changelog partition: input partitions are laid out one after another. */
  private readonly firstPartition = new Map<string, number>();

  constructor(private readonly options: StateChangelogOptions) {
    this.topic = options.topic;
  }

  /**
   * Creates the compacted changelog (when missing) with one partition per input partition, input
   * topics in name order. An input topic that gains partitions later is refused rather than
   * given a changelog partition another input partition already writes.
   */
  async prepare(): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin
        .fetchTopicMetadata({ topics: [...this.options.inputs] })
        .catch((error: unknown) => {
          throw new Error(
            `reading the partitions of ${this.options.inputs.join(", ")}: ${errorMessage(error)}`,
          );
        });
      let next = 0;
      const counts = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
      for (const topic of [...this.options.inputs].sort()) {
        this.firstPartition.set(topic, next);
        next += counts.get(topic) ?? 0;
      }
      const existing = new Set(await admin.listTopics());
      let creating: string | undefined;
      if (!existing.has(this.topic)) {
        await admin
          .createTopics({
            // Waiting for leaders here fails now and then on a topic just made: metadataOnceKnown waits.
            waitForLeaders: false,
            topics: [
              {
                topic: this.topic,
                numPartitions: next,
                ...(this.options.replicationFactor
                  ? { replicationFactor: this.options.replicationFactor }
                  : {}),
                configEntries: [{ name: "cleanup.policy", value: "compact" }],
              },
            ],
          })
          .catch((error: unknown) => {
            // Another engine may have created it at the same moment: its metadata tells.
            creating = errorMessage(error);
          });
      }
      const changelog = await metadataOnceKnown(admin, this.topic).catch((error: unknown) => {
        throw new Error(`creating ${this.topic}: ${creating ?? errorMessage(error)}`);
      });
      if ((changelog?.partitions.length ?? 0) < next)
        throw new Error(
          `the state changelog ${this.topic} has ${String(changelog?.partitions.length ?? 0)} partitions for ${String(next)} input partitions (an input topic gained partitions): exactly-once state cannot be kept`,
        );
    } finally {
      await admin.disconnect();
    }
  }

  /** The changelog partition that holds the state of one input partition. */
  partitionOf(topic: string, partition: number): number {
    const first = this.firstPartition.get(topic);
    if (first === undefined) throw new Error(`exactly-once state: ${topic} is not an input of this node`);
    return first + partition;
  }

  encode(write: StateWrite, partition: number): Message {
    return {
      key: Buffer.from(write.key, "utf8"),
      value: "delete" in write ? null : JSON.stringify(write.value),
      partition,
    };
  }

  /**
   * One changelog partition's state as committed. `producer` is the partition's owner, already
   * fenced in: it writes a marker in a transaction of its own, and a read_committed read of the
   * partition from its start up to that marker holds every change committed before the fence.
   * (kafkajs has no manual assignment, so the read is a consumer group of its own.) A partition
   * nothing was ever written to (a function that keeps no state) is known empty from its end
   * offset alone: after the fence no earlier producer can still append to it.
   */
  async restore(producer: Producer, partition: number, admin: Admin): Promise<Map<string, JsonValue>> {
    const ends = await admin.fetchTopicOffsets(this.topic);
    const end = ends.find((offsets) => offsets.partition === partition);
    if (end && Number(end.high) === 0) return new Map();
    const marker = randomUUID();
    const transaction = await producer.transaction();
    try {
      await transaction.send({
        topic: this.topic,
        messages: [{ key: MARKER_KEY, value: marker, partition }],
        acks: -1,
      });
      await transaction.commit();
    } catch (error) {
      if (transaction.isActive()) await transaction.abort().catch(() => undefined);
      throw error;
    }
    const state = new Map<string, JsonValue>();
    const consumer = this.options.kafka.consumer({
      groupId: `${this.topic}.restore.${marker}`,
      readUncommitted: false,
      allowAutoTopicCreation: false,
    });
    let done: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => {
      done = resolve;
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (batch.partition !== partition) return;
          for (const message of batch.messages) {
            if (message.key?.equals(MARKER_KEY)) {
              if (message.value?.toString("utf8") === marker) done();
              continue;
            }
            const key = message.key?.toString("utf8") ?? "";
            if (message.value === null) state.delete(key);
            else state.set(key, JSON.parse(message.value.toString("utf8")) as JsonValue);
          }
          await Promise.resolve();
        },
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        reached,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reject(
              new Error(
                `restoring ${this.topic}[${String(partition)}] took over ${String(RESTORE_TIMEOUT_MS)} ms`,
              ),
            );
          }, RESTORE_TIMEOUT_MS);
        }),
      ]).finally(() => {
        clearTimeout(timer);
      });
    } finally {
      await consumer.disconnect().catch((error: unknown) => {
        this.options.log.warn(`closing the restore reader of ${this.topic}: ${errorMessage(error)}`);
      });
    }
    return state;
  }
}

/** A topic's metadata; a topic created a moment ago may not be known to every broker yet. */
async function metadataOnceKnown(
  admin: Admin,
  topic: string,
): Promise<{ partitions: readonly unknown[] } | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0];
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
