// What Weir needs from a Kafka client, so everything that talks to Kafka (the engine's transport
// and request replies, the kafka-source and kafka-sink connectors) is written once and runs on
// either client: kafkajs (kafkajs-client.ts) or @platformatic/kafka (platformatic-client.ts),
// chosen in one place (kafkaEdgeClient in choose.ts). Messages keep kafkajs' plain shapes
// (strings and Buffers), which the record codecs already speak.
import type { KafkaMessage, TopicMessages } from "kafkajs";
import type { FunctionLogger } from "@weir/domain";

/** Which client library Weir talks to Kafka with (the engine's WEIR_KAFKA_CLIENT). */
export type KafkaClientKind = "kafkajs" | "platformatic";

export const KAFKA_CLIENT_KINDS: readonly KafkaClientKind[] = ["kafkajs", "platformatic"];

export interface ProducerSettings {
  /** No reordering or duplicates within a producer session (one request in flight per partition). */
  idempotent: boolean;
  acks: -1 | 0 | 1;
  compression: "none" | "gzip";
}

/** A connected producer. `send` resolves once Kafka acknowledged every message (per `acks`). */
export interface EdgeProducer {
  send(topicMessages: readonly TopicMessages[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface ConsumerSettings {
  groupId: string;
  topics: readonly string[];
  /** Where a group without committed offsets starts. */
  fromBeginning: boolean;
  sessionTimeoutMs: number;
  /** Partitions whose batches are handed on at the same time (kafkajs only; the stream is one). */
  concurrency: number;
}

/** Messages of one partition, in offset order. */
export interface IncomingBatch {
  topic: string;
  partition: number;
  /** The partition's end offset as last seen, when known: for the lag. */
  highWatermark: number | undefined;
  messages: KafkaMessage[];
}

/** What a batch handler may do while it holds a batch. */
export interface BatchControl {
  /** Keeps the membership alive while the handler waits (a no-op where the client heartbeats by itself). */
  heartbeat(): Promise<void>;
  /** False once the consumer stopped or the batch belongs to an assignment that is gone. */
  alive(): boolean;
  /** The client's fetch position may move past `offset` (kafkajs' resolveOffset; commits nothing). */
  resolved(offset: string): void;
}

export interface ConsumerHandlers {
  /** Handles one batch; resolves once it was handed on, or given up because `alive()` turned false. */
  batch(batch: IncomingBatch, control: BatchControl): Promise<void>;
  /** The member (re)joined its group and now owns these `topic/partition`s. */
  joined(owned: ReadonlySet<string>): void;
  /** Fresh end offsets, by `topic/partition`, for partitions whose batches carry none. */
  watermarks?(ends: ReadonlyMap<string, number>): void;
  log: FunctionLogger;
}

export interface CommitOffset {
  topic: string;
  partition: number;
  /** The next offset to read. */
  offset: string;
}

/** One member of a consumer group, committing only what it is told to. */
export interface EdgeConsumer {
  start(handlers: ConsumerHandlers): Promise<void>;
  commit(offsets: readonly CommitOffset[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface NewTopic {
  topic: string;
  partitions: number;
  replicationFactor: number | undefined;
  /** Topic configs (e.g. `retention.ms`); the broker's defaults otherwise. */
  configs?: Readonly<Record<string, string>>;
}

export interface EdgeAdmin {
  listTopics(): Promise<string[]>;
  createTopics(topics: readonly NewTopic[]): Promise<void>;
  deleteTopics(topics: readonly string[]): Promise<void>;
  listGroups(): Promise<string[]>;
  deleteGroups(groups: readonly string[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** A client for one cluster (one connection profile). */
export interface EdgeClient {
  readonly kind: KafkaClientKind;
  producer(settings: ProducerSettings): Promise<EdgeProducer>;
  consumer(settings: ConsumerSettings): EdgeConsumer;
  admin(): Promise<EdgeAdmin>;
  /** A refusal that retrying cannot fix (a record too large): the writer stops retrying it. */
  isPermanent(error: unknown): boolean;
}
