// The edge client on @platformatic/kafka (WEIR_KAFKA_CLIENT=platformatic): a
// maintained, pure-TypeScript client. Its consumer is a stream that heartbeats by itself; the
// commit discipline stays the caller's (autocommit off, offsets committed by hand).
import {
  Admin,
  Consumer,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  Producer,
  ProtocolError,
  compatibilityPartitioner,
} from "@platformatic/kafka";
import type { ConnectionOptions, Message, MessageToProduce } from "@platformatic/kafka";
import type { IHeaders, KafkaMessage, Message as OutgoingMessage } from "kafkajs";
import type { KafkaConnection } from "../kafka-common/schema";
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
import { RejoinPositions } from "./rejoin-positions";

/** Messages grouped into one batch per partition before they are handed on. */
const BATCH_MAX = 500;
const WATERMARKS_MS = 2_000;
const RESTART_MAX_MS = 5_000;
/**
 * A send that has not settled by then fails, so the writer retries it on a fresh producer (as
 * kafkajs' request timeout does): the client can wait on metadata it never gets.
 */
const SEND_TIMEOUT_MS = 30_000;

const SASL_MECHANISMS = {
  plain: "PLAIN",
  "scram-sha-256": "SCRAM-SHA-256",
  "scram-sha-512": "SCRAM-SHA-512",
} as const;

/** Brokers, TLS (verified against the system's CAs, with SNI) and SASL, as a connection profile holds them. */
export function platformaticConnectionOptions(
  connection: KafkaConnection,
): ConnectionOptions & { bootstrapBrokers: string[] } {
  return {
    bootstrapBrokers: [...connection.brokers],
    ...(connection.ssl ? { tls: {}, tlsServerName: true } : {}),
    ...(connection.sasl
      ? {
          sasl: {
            mechanism: SASL_MECHANISMS[connection.sasl.mechanism],
            username: connection.sasl.username,
            password: connection.sasl.password,
          },
        }
      : {}),
  };
}

export function platformaticEdgeClient(connection: KafkaConnection, clientId: string): EdgeClient {
  const base = { clientId, ...platformaticConnectionOptions(connection) };
  return {
    kind: "platformatic",
    producer(settings: ProducerSettings): Promise<EdgeProducer> {
      const producer: Producer = new Producer({
        ...base,
        idempotent: settings.idempotent,
        acks: settings.acks,
        compression: settings.compression,
        // Java's (and kafkajs') key → partition mapping, so a key keeps its partition across clients.
        partitioner: compatibilityPartitioner,
        // As kafkajs: a sink's topic that does not exist yet is created if the broker allows it.
        autocreateTopics: true,
      });
      return Promise.resolve({
        async send(topicMessages) {
          const messages = topicMessages.flatMap(({ topic, messages }) =>
            messages.map((message) => toProduce(topic, message)),
          );
          await explained("producing", () => withTimeout(SEND_TIMEOUT_MS, producer.send({ messages })));
        },
        disconnect: () => producer.close(),
      });
    },
    consumer: (settings) => new PlatformaticConsumer(base, settings),
    admin(): Promise<EdgeAdmin> {
      const admin = new Admin(base);
      return Promise.resolve({
        listTopics: () => explained("listing topics", () => admin.listTopics()),
        async createTopics(topics) {
          // One request per partition count and replication; createTopics takes them for all its topics.
          for (const topic of topics) {
            await explained(`creating topic ${topic.topic}`, () =>
              admin
                .createTopics({
                  topics: [topic.topic],
                  partitions: topic.partitions,
                  ...(topic.replicationFactor === undefined ? {} : { replicas: topic.replicationFactor }),
                  ...(topic.configs
                    ? { configs: Object.entries(topic.configs).map(([name, value]) => ({ name, value })) }
                    : {}),
                })
                .catch((error: unknown) => {
                  // Another engine created it meanwhile: what was wanted.
                  if (protocolErrorIds(error).every((id) => id === "TOPIC_ALREADY_EXISTS")) return [];
                  throw error;
                }),
            );
          }
        },
        deleteTopics: (topics) =>
          explained("deleting topics", () => admin.deleteTopics({ topics: [...topics] })),
        listGroups: async () => [...(await explained("listing groups", () => admin.listGroups())).keys()],
        deleteGroups: (groups) =>
          explained("deleting groups", () => admin.deleteGroups({ groups: [...groups] })),
        disconnect: () => admin.close(),
      });
    },
    isPermanent,
  };
}

/**
 * The client's errors nest: "Listing topics failed." wraps a MultipleErrors whose errors say
 * what the broker answered (a SASL refusal, REBALANCE_IN_PROGRESS). All of it, once each.
 */
export function describeKafkaError(error: unknown): string {
  const seen = new Set<string>();
  const walk = (e: unknown, depth: number): void => {
    if (depth > 6) return;
    if (!(e instanceof Error)) {
      if (typeof e === "string") seen.add(e);
      return;
    }
    if (e.message) seen.add(e.message);
    const nested = (e as Error & { errors?: unknown }).errors;
    if (Array.isArray(nested)) for (const inner of nested) walk(inner, depth + 1);
    walk(e.cause, depth + 1);
  };
  walk(error, 0);
  return [...seen].join(": ");
}

function withTimeout<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${String(ms)} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/** Runs a client call; its failure carries the broker's reasons (describeKafkaError). */
async function explained<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new Error(`${what}: ${describeKafkaError(error)}`, { cause: error });
  }
}

/** The broker's error ids (TOPIC_ALREADY_EXISTS, …) a client error carries; none when it carries other errors. */
function protocolErrorIds(error: unknown): string[] {
  if (error instanceof ProtocolError) return [String((error as Error & { apiId?: string }).apiId)];
  if (!(error instanceof Error)) return ["?"];
  const nested = (error as Error & { errors?: unknown[] }).errors;
  if (Array.isArray(nested) && nested.length > 0) return nested.flatMap(protocolErrorIds);
  return error.cause === undefined ? ["?"] : protocolErrorIds(error.cause);
}

/** A protocol error the broker marks as not retriable (a record too large, no authorization). */
function isPermanent(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof ProtocolError) return (error as Error & { canRetry?: boolean }).canRetry === false;
  const nested = (error as Error & { errors?: unknown[] }).errors;
  if (Array.isArray(nested) && nested.length > 0 && nested.every(isPermanent)) return true;
  return error.cause !== undefined && isPermanent(error.cause);
}

function bytes(value: Buffer | string | null | undefined): Buffer | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === "string" ? Buffer.from(value, "utf8") : value;
}

function toProduce(topic: string, message: OutgoingMessage): MessageToProduce {
  // Names and values both as bytes: the client's default serializers pass Buffers only.
  const headers = new Map<Buffer, Buffer>();
  for (const [name, raw] of Object.entries(message.headers ?? {})) {
    const value = Array.isArray(raw) ? raw.at(-1) : raw;
    const encoded = bytes(value);
    if (encoded !== undefined) headers.set(Buffer.from(name, "utf8"), encoded);
  }
  return {
    topic,
    ...(message.partition === undefined ? {} : { partition: message.partition }),
    key: bytes(message.key),
    // A null value is a tombstone: written as Kafka's null, not as empty bytes.
    value: bytes(message.value),
    headers,
    ...(message.timestamp === undefined ? {} : { timestamp: BigInt(message.timestamp) }),
  };
}

/** The fields the transport's decoders read, in kafkajs' shape. */
function toIncoming(message: Message): KafkaMessage {
  const headers: IHeaders = {};
  for (const [name, value] of message.headers) headers[name.toString()] = value;
  // A null key or value (a tombstone) arrives as undefined, whatever the types say.
  const { key, value } = message as { key: Buffer | undefined; value: Buffer | undefined };
  const incoming: KafkaMessage = {
    key: key ?? null,
    value: value ?? null,
    headers,
    timestamp: String(message.timestamp),
    offset: String(message.offset),
    attributes: 0,
  };
  return incoming;
}

type Base = ConnectionOptions & { clientId: string; bootstrapBrokers: string[] };

/**
 * One group member on a messages stream. The stream fetches ahead into its buffer (at most its
 * highWaterMark); what it delivered is grouped per partition and handed to the batch handler,
 * whose waiting stops the stream from reading on. After a (re)join the stream reads every
 * assigned partition again from its committed offset, so a message fetched for an earlier
 * assignment (another generation, or a partition no longer owned) is dropped, and the batches
 * of that assignment turn stale. A stream that fails (its broker gone for longer than the
 * client's retries) is replaced by a new member, as kafkajs restarts a crashed consumer.
 */
class PlatformaticConsumer implements EdgeConsumer {
  private consumer: Consumer | undefined;
  private stream: Awaited<ReturnType<Consumer["consume"]>> | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  /** Counts this member's joins (and restarts): a batch from before the last one is stale. */
  private joins = 0;
  private generationId = -1;
  private owned: ReadonlySet<string> = new Set();
  private readonly ends = new Map<string, number>();
  /** Catches a fetch from before a rejoin that moved a partition past records (rejoin-positions.ts). */
  private positions = new RejoinPositions();
  private watermarkTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly base: Base,
    private readonly settings: ConsumerSettings,
  ) {}

  async start(handlers: ConsumerHandlers): Promise<void> {
    await explained(`joining consumer group ${this.settings.groupId}`, () => this.open(handlers));
    this.running = this.pumpUntilStopped(handlers);
    this.watermarkTimer = setInterval(() => {
      void this.refreshWatermarks(handlers);
    }, WATERMARKS_MS);
  }

  async commit(offsets: readonly CommitOffset[]): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) throw new Error("the consumer is restarting");
    for (const { topic, partition, offset } of offsets)
      this.positions.committed(`${topic}/${String(partition)}`, Number(offset));
    // A commit that hangs would hold every later one (and so the fetch-ahead window) back.
    await explained("committing offsets", () =>
      withTimeout(
        SEND_TIMEOUT_MS,
        consumer.commit({
          offsets: offsets.map(({ topic, partition, offset }) => ({
            topic,
            partition,
            offset: BigInt(offset),
            leaderEpoch: -1,
          })),
        }),
      ),
    );
  }

  async disconnect(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watermarkTimer);
    await this.closeMember();
    await this.running;
  }

  private async open(handlers: ConsumerHandlers): Promise<void> {
    const sessionTimeout = this.settings.sessionTimeoutMs;
    const consumer = new Consumer({
      ...this.base,
      groupId: this.settings.groupId,
      sessionTimeout,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 10)),
      // A member whose heartbeats went unanswered for a whole session cannot know it is still
      // one: the broker may have dropped it (a network stall, a frozen broker). The client keeps
      // its old membership while a heartbeat queued during the stall may still extend the session
      // (a race on the broker), so after a session without an answer the member is replaced
      // ('stalled' below), as the broker would have done, and never keeps partitions it lost.
      heartbeatStallTimeout: sessionTimeout,
      // kafkajs' default: members have this long to rejoin once a rebalance starts.
      rebalanceTimeout: Math.max(sessionTimeout, 60_000),
      autocommit: false,
      autocreateTopics: false,
      // The broker answers a fetch once it has data or after this long; a short wait keeps latency low.
      maxWaitTime: 500,
    });
    // A new member starts with a new stream: nothing it fetched predates its first join.
    const positions = new RejoinPositions();
    this.positions = positions;
    consumer.on("consumer:group:join", (payload) => {
      if (this.stream && this.consumer === consumer) positions.joined();
      this.joins++;
      this.generationId = consumer.generationId;
      const owned = new Set<string>();
      for (const { topic, partitions } of payload.assignments ?? [])
        for (const partition of partitions) owned.add(`${topic}/${String(partition)}`);
      this.owned = owned;
      handlers.joined(owned);
    });
    // A rejoin that failed leaves the member without heartbeats (the client says so with
    // 'error', unhandled it would end the process): replace the member, as after a stream failure.
    const failed = (error: unknown): void => {
      if (this.consumer !== consumer || this.stopped) return;
      const failure = error instanceof Error ? error : new Error(describeKafkaError(error));
      if (this.stream) this.stream.destroy(failure);
      else handlers.log.warn(`consumer ${this.settings.groupId}: ${describeKafkaError(error)}`);
    };
    consumer.on("error", failed);
    consumer.on("consumer:heartbeat:error", (payload) => {
      if (this.consumer === consumer && !this.stopped)
        handlers.log.warn(
          `consumer ${this.settings.groupId}: heartbeat failed: ${describeKafkaError(payload.error)}`,
        );
    });
    consumer.on("consumer:heartbeat:stalled", (payload) => {
      failed(new Error(`no heartbeat for ${String(payload.stalledFor)} ms`, { cause: payload.lastError }));
    });
    this.consumer = consumer;
    this.stream = await consumer.consume({
      topics: [...this.settings.topics],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: this.settings.fromBeginning
        ? MessagesStreamFallbackModes.EARLIEST
        : MessagesStreamFallbackModes.LATEST,
      autocommit: false,
      // Fetch-ahead beyond what the node holds: dropped, not handed on twice, after a rejoin.
      highWaterMark: BATCH_MAX * 2,
    });
    const stream = this.stream;
    // After a join the stream rewinds every assigned partition to its committed offset.
    stream.on("offsets", () => {
      const starts = new Map<string, number>();
      for (const [key, offset] of stream.offsetsToFetch) {
        const at = key.lastIndexOf(":");
        starts.set(`${key.slice(0, at)}/${key.slice(at + 1)}`, Number(offset));
      }
      const behind = positions.rewound(starts, this.owned);
      const first = behind[0];
      // Replaced as after a stream failure: the new member reads again from the commits, or
      // from the start where nothing was committed yet.
      if (first)
        stream.destroy(
          new Error(
            `after the last rejoin the stream resumes ${first.where} at ${String(first.start)}, past records read and never committed (from ${String(first.read)})`,
          ),
        );
    });
  }

  private async pumpUntilStopped(handlers: ConsumerHandlers): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        if (!this.stream) await this.open(handlers);
        await this.pump(handlers);
        attempt = 0;
      } catch (error) {
        if (this.isStopped()) return;
        handlers.log.warn(
          `consumer ${this.settings.groupId} failed (restarting): ${describeKafkaError(error)}`,
        );
        // Whatever it held is read again by the group: a new member starts from the commits.
        this.joins++;
        this.owned = new Set();
        handlers.joined(new Set());
        await this.closeMember();
        await new Promise((resolve) => setTimeout(resolve, Math.min(RESTART_MAX_MS, 250 * 2 ** attempt)));
      }
    }
  }

  /** Reads the stream until it ends, handing on per-partition batches of what it buffered. */
  private async pump(handlers: ConsumerHandlers): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    let pending = new Map<string, { topic: string; partition: number; messages: KafkaMessage[] }>();
    let size = 0;
    let joins = this.joins;
    for await (const message of stream as AsyncIterable<Message>) {
      if (this.stopped) return;
      const where = `${message.topic}/${String(message.partition)}`;
      const generation = (message.metadata.consumer as { generationId?: number } | undefined)?.generationId;
      if (joins !== this.joins) {
        // A join since these were fetched: the group reads them again from the commits.
        pending = new Map();
        size = 0;
        joins = this.joins;
      }
      const current = generation === this.generationId && this.owned.has(where);
      const verdict = this.positions.check(where, Number(message.offset), current);
      if (verdict === "stale")
        // Replaced as after a stream failure: the new member reads again from the commits.
        throw new Error(
          `a fetch from before the last rejoin moved ${where} past records not handed on (rewound to ${String(this.positions.startOf(where))}, then ${String(message.offset)} came first)`,
        );
      if (verdict === "drop") continue;
      const batch = pending.get(where) ?? {
        topic: message.topic,
        partition: message.partition,
        messages: [],
      };
      batch.messages.push(toIncoming(message));
      pending.set(where, batch);
      size++;
      if (size < BATCH_MAX && stream.readableLength > 0) continue;
      const batches = [...pending.values()];
      pending = new Map();
      size = 0;
      for (const { topic, partition, messages } of batches) {
        const last = messages.at(-1);
        const known = this.ends.get(`${topic}/${String(partition)}`);
        await handlers.batch(
          {
            topic,
            partition,
            highWatermark: Math.max(known ?? 0, last ? Number(last.offset) + 1 : 0),
            messages,
          },
          {
            heartbeat: () => Promise.resolve(),
            alive: () => !this.stopped && joins === this.joins,
            resolved: () => undefined,
          },
        );
      }
    }
    if (!this.stopped) throw new Error("the messages stream ended");
  }

  /** Read through a call, so a loop that checked `stopped` sees it change while it awaited. */
  private isStopped(): boolean {
    return this.stopped;
  }

  private async refreshWatermarks(handlers: ConsumerHandlers): Promise<void> {
    const consumer = this.consumer;
    if (!consumer || this.stopped || this.owned.size === 0) return;
    try {
      const offsets = await consumer.listOffsets({ topics: [...this.settings.topics] });
      for (const [topic, partitions] of offsets)
        partitions.forEach((end, partition) => {
          this.ends.set(`${topic}/${String(partition)}`, Number(end));
        });
      handlers.watermarks?.(new Map([...this.ends].filter(([where]) => this.owned.has(where))));
    } catch {
      // The lag is refreshed on the next round.
    }
  }

  /** Leaves the group (a member that cannot reach the broker is dropped after the session timeout). */
  private async closeMember(): Promise<void> {
    const stream = this.stream;
    const consumer = this.consumer;
    this.stream = undefined;
    this.consumer = undefined;
    await stream?.close().catch(() => undefined);
    await consumer?.close(true).catch(() => undefined);
  }
}
