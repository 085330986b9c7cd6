// The edge client on kafkajs (WEIR_KAFKA_CLIENT=kafkajs).
import { CompressionTypes, Partitioners } from "kafkajs";
import type { Consumer, Kafka } from "kafkajs";
import { errorMessage } from "@weir/domain";
import type {
  CommitOffset,
  ConsumerHandlers,
  ConsumerSettings,
  EdgeAdmin,
  EdgeClient,
  EdgeConsumer,
  EdgeProducer,
  ProducerSettings,
} from "./edge-client";
import { createTopicsWithLeaders } from "../kafka-common/topics";

export function kafkajsEdgeClient(kafka: Kafka): EdgeClient {
  return {
    kind: "kafkajs",
    async producer(settings: ProducerSettings): Promise<EdgeProducer> {
      const producer = kafka.producer({
        idempotent: settings.idempotent,
        // Idempotence in kafkajs requires a single request in flight.
        ...(settings.idempotent ? { maxInFlightRequests: 1 } : {}),
        createPartitioner: Partitioners.DefaultPartitioner,
        // Few retries inside kafkajs: TopicWriter retries on its own, and can stop doing so.
        retry: { retries: 5 },
      });
      await producer.connect();
      const compression = settings.compression === "gzip" ? CompressionTypes.GZIP : CompressionTypes.None;
      return {
        send: async (topicMessages) => {
          await producer.sendBatch({ topicMessages: [...topicMessages], acks: settings.acks, compression });
        },
        disconnect: () => producer.disconnect(),
      };
    },
    consumer: (settings) => new KafkajsConsumer(kafka, settings),
    async admin(): Promise<EdgeAdmin> {
      const admin = kafka.admin();
      await admin.connect();
      return {
        listTopics: () => admin.listTopics(),
        async createTopics(topics) {
          await createTopicsWithLeaders(
            admin,
            topics.map(({ topic, partitions, replicationFactor, configs }) => ({
              topic,
              numPartitions: partitions,
              ...(replicationFactor === undefined ? {} : { replicationFactor }),
              ...(configs
                ? { configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }
                : {}),
            })),
          );
        },
        deleteTopics: (topics) => admin.deleteTopics({ topics: [...topics] }),
        listGroups: async () => (await admin.listGroups()).groups.map((group) => group.groupId),
        async deleteGroups(groups) {
          await admin.deleteGroups([...groups]);
        },
        disconnect: () => admin.disconnect(),
      };
    },
    /** kafkajs marks protocol errors that retrying cannot fix; connection errors carry no flag. */
    isPermanent: (error) =>
      error instanceof Error &&
      error.name === "KafkaJSProtocolError" &&
      (error as Error & { retriable?: boolean }).retriable === false,
  };
}

/**
 * kafkajs fetches ahead and calls eachBatch per partition batch; the batch's handler heartbeats
 * while it waits. After each (re)join kafkajs reads every assigned partition again from its
 * committed offset, so a batch from before the join is stale (`alive()` turns false).
 */
class KafkajsConsumer implements EdgeConsumer {
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    private readonly settings: ConsumerSettings,
  ) {
    this.consumer = kafka.consumer({
      groupId: settings.groupId,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(settings.sessionTimeoutMs / 10)),
      allowAutoTopicCreation: false,
    });
  }

  async start(handlers: ConsumerHandlers): Promise<void> {
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      const owned = new Set<string>();
      for (const [topic, partitions] of Object.entries(event.payload.memberAssignment))
        for (const partition of partitions) owned.add(`${topic}/${String(partition)}`);
      handlers.joined(owned);
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      handlers.log.warn(
        `consumer ${this.settings.groupId} crashed (${errorMessage(event.payload.error)}); ${event.payload.restart ? "restarting" : "not restarting"}`,
      );
    });
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...this.settings.topics],
      fromBeginning: this.settings.fromBeginning,
    });
    await this.consumer.run({
      // Offsets are committed by hand, only past acked records, never by kafkajs.
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.settings.concurrency,
      eachBatch: (payload) =>
        handlers.batch(
          {
            topic: payload.batch.topic,
            partition: payload.batch.partition,
            highWatermark: Number(payload.batch.highWatermark),
            messages: payload.batch.messages,
          },
          {
            heartbeat: () => payload.heartbeat(),
            alive: () => payload.isRunning() && !payload.isStale(),
            // Moves kafkajs' fetch position on; with autoCommit off this commits nothing.
            resolved: (offset) => {
              payload.resolveOffset(offset);
            },
          },
        ),
    });
  }

  commit(offsets: readonly CommitOffset[]): Promise<void> {
    return this.consumer.commitOffsets([...offsets]);
  }

  disconnect(): Promise<void> {
    return this.consumer.disconnect();
  }
}
