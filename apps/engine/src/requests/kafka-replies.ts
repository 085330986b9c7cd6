import { randomBytes } from "node:crypto";
import type { KafkaMessage, Message } from "kafkajs";
import type { WeirRecord } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { Logger } from "../logger";
import type { EdgeAdmin, EdgeClient, EdgeConsumer } from "../transport/kafka/edge-client";
import { DEFAULT_CHUNK_BYTES, frameOf } from "../transport/kafka/record-codec";
import { EDGE_PRODUCER, TopicWriter } from "../transport/kafka/topic-writer";
import { splitMessage } from "../transport/values/chunk-codec";
import { decodeValue, encodeValue } from "../transport/values/value-codec";
import { ValueReassembler } from "../transport/values/value-reassembler";
import { DEADLINE_HEADER, REPLY_HEADER, TOKEN_HEADER } from "./request-credit";
import { REQUEST_HEADER } from "./request-tracker";
import type { RequestTracker } from "./request-tracker";
import { ReplyPublisher } from "./reply-publisher";

/** Every engine's cancellations, read by every engine running request flows. */
export const CANCELLED_TOPIC = "weir-requests.cancelled";
/** Replies older than the longest request timeout (10 min) answer nobody. */
const RETENTION_MS = 15 * 60_000;
const JOIN_TIMEOUT_MS = 30_000;
/** The reply and cancellation readers' group session (kafkajs' default). */
const SESSION_TIMEOUT_MS = 30_000;
const READY_ATTEMPTS = 5;
const RETRY_MS = 1_000;
/**
 * On an answer message: the reply without its record's value (JSON), the value being the
 * message's (raw bytes or JSON text, as on an edge topic), split into chunks when large.
 */
const ANSWER_HEADER = "weir-reply-answer";

export interface ReplySettings {
  /** Value bytes per reply message (WEIR_KAFKA_CHUNK_BYTES): a larger answer goes as chunks. */
  chunkBytes?: number | undefined;
  /** The most bytes of split answers held at once (WEIR_KAFKA_MAX_VALUE_BYTES). */
  maxValueBytes?: number | undefined;
}

/** The reply topic of one engine: only it reads it. */
export function replyTopic(engineId: string): string {
  return `weir-requests.replies.${engineId.replace(/[^A-Za-z0-9._-]/g, "_")}`;
}

/** What an engine's response sinks and tracked inputs need to reach the engine holding a request. */
export interface RemoteRequests {
  /** This engine's reply address (its reply topic), stamped on the records of requests it opens. */
  readonly address: string;
  /** Resolves once this engine reads its replies: before it opens a request. */
  ready(): Promise<void>;
  /** Starts reading cancellations (an engine running a request flow's workers). */
  watchCancellations(): void;
  /** The record's request timed out or its client left (here or on the engine holding it). */
  isCancelled(record: WeirRecord): boolean;
  /** `nodeId` is done with the record and gives back the credit it kept. */
  giveBack(record: WeirRecord, nodeId: string, amount: bigint): void;
  /** The record reached response sink `nodeId`: it goes to its request's answer. */
  answer(record: WeirRecord, nodeId: string): void;
  /** The request cannot be answered any more (its credit ran out): its engine fails it. */
  fail(record: WeirRecord, error: string): void;
  close(): Promise<void>;
}

type Reply =
  | { kind: "return"; id: string; key: string; amount: string; engine: string; node: string }
  | { kind: "answer"; id: string; key: string; record: WeirRecord }
  | { kind: "fail"; id: string; error: string };

/**
 * Request replies over Kafka. Each engine has a reply topic of its own (one partition, read by
 * that engine alone, from the start: it is made fresh for each run and keeps 15 minutes); records
 * of a request carry their engine's reply topic in `weir-request-reply`, and every engine that
 * answers or finishes one of them sends a message there, keyed by the request. A cancellation is
 * sent to a topic every engine reads, so a cancelled request's records are dropped wherever they
 * are; records past their `weir-request-deadline` are dropped without being told.
 */
export class KafkaRequestReplies implements RemoteRequests {
  readonly address: string;
  private readonly publisher: ReplyPublisher;
  private readonly writer: TopicWriter;
  private readonly stopping = new AbortController();
  private readonly consumers: EdgeConsumer[] = [];
  /** Cancelled requests of every engine, until their deadline. */
  private readonly cancelled = new Map<string, number>();
  private readying: Promise<void> | undefined;
  private watching: Promise<void> | undefined;
  private topicsMade: Promise<void> | undefined;
  private readonly chunkBytes: number;
  /** Answers split into chunks, put back together (the reply topic has one partition). */
  private readonly answers: ValueReassembler<undefined>;

  constructor(
    private readonly client: EdgeClient,
    private readonly engineId: string,
    private readonly tracker: RequestTracker,
    private readonly log: Logger,
    settings: ReplySettings = {},
  ) {
    this.address = replyTopic(engineId);
    this.chunkBytes = settings.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.answers = new ValueReassembler(settings.maxValueBytes ?? 64 * 1024 * 1024);
    this.writer = new TopicWriter(
      { client: client, producer: EDGE_PRODUCER, maxRequestBytes: this.chunkBytes },
      this.stopping.signal,
      log,
    );
    this.publisher = new ReplyPublisher(this.writer, log);
  }

  ready(): Promise<void> {
    this.readying ??= this.retried("request replies", READY_ATTEMPTS, async () => {
      await this.topics();
      await this.consume(this.address, (message) => {
        this.received(message);
      });
      this.log.info(`reading request replies from ${this.address}`);
    }).catch((error: unknown) => {
      // The request that asked gets 503; the next one tries again.
      this.readying = undefined;
      throw new Error(`cannot read request replies from Kafka: ${errorMessage(error)}`);
    });
    return this.readying;
  }

  watchCancellations(): void {
    // Until it works: meanwhile records of cancelled requests are still dropped at their deadline.
    this.watching ??= this.retried("request cancellations", Infinity, async () => {
      await this.topics();
      await this.consume(CANCELLED_TOPIC, (message) => {
        this.heardCancel(message);
      });
    }).catch(() => undefined);
  }

  /** A topic made a moment ago may not be served yet (its metadata is on its way): tries again. */
  private async retried(what: string, attempts: number, run: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await run();
        return;
      } catch (error) {
        if (attempt >= attempts || this.stopping.signal.aborted) throw error;
        this.log.warn(
          `reading ${what} failed (attempt ${String(attempt)}, retrying): ${errorMessage(error)}`,
        );
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  /** Tells every engine (this one included) that the request is cancelled. */
  announceCancel(id: string, deadline: number): void {
    this.cancelled.set(id, deadline);
    this.publisher.publish(CANCELLED_TOPIC, { key: id, value: JSON.stringify({ id, deadline }) });
  }

  isCancelled(record: WeirRecord): boolean {
    const id = record.headers[REQUEST_HEADER];
    if (id === undefined) return false;
    const deadline = Number(record.headers[DEADLINE_HEADER]);
    if (Number.isFinite(deadline) && Date.now() > deadline) return true;
    if (this.cancelled.has(id)) return true;
    return record.headers[REPLY_HEADER] === this.address && this.tracker.isCancelled(record);
  }

  giveBack(record: WeirRecord, nodeId: string, amount: bigint): void {
    const id = record.headers[REQUEST_HEADER];
    const token = record.headers[TOKEN_HEADER];
    if (id === undefined || token === undefined) return;
    const key = `${token}@${nodeId}`;
    this.send(record, {
      kind: "return",
      id,
      key,
      amount: amount.toString(16),
      engine: this.engineId,
      node: nodeId,
    });
  }

  answer(record: WeirRecord, nodeId: string): void {
    const id = record.headers[REQUEST_HEADER];
    const token = record.headers[TOKEN_HEADER];
    if (id === undefined || token === undefined) return;
    this.send(record, { kind: "answer", id, key: `${token}@${nodeId}`, record });
  }

  fail(record: WeirRecord, error: string): void {
    const id = record.headers[REQUEST_HEADER];
    if (id !== undefined) this.send(record, { kind: "fail", id, error });
  }

  async close(): Promise<void> {
    await this.publisher.flushed();
    this.stopping.abort();
    const results = await Promise.allSettled([
      ...this.consumers.map((consumer) => consumer.disconnect()),
      this.writer.disconnect(),
    ]);
    for (const result of results)
      if (result.status === "rejected") this.log.warn(`closing request replies: ${String(result.reason)}`);
    if (this.readying) await this.deleteReplyTopic();
  }

  /** To the engine holding the request: straight to the tracker when that is this engine. */
  private send(record: WeirRecord, reply: Reply): void {
    const to = record.headers[REPLY_HEADER];
    if (to === undefined) return;
    if (to === this.address) this.apply(reply);
    else for (const message of this.messagesOf(reply)) this.publisher.publish(to, message);
  }

  /** An answer's value travels as an edge record's does (raw bytes, chunks when large); the rest as JSON. */
  private messagesOf(reply: Reply): Message[] {
    if (reply.kind !== "answer") return [{ key: reply.id, value: JSON.stringify(reply) }];
    const { value, headers } = encodeValue(reply.record.value);
    const bare = { ...reply, record: { ...reply.record, value: null } };
    return splitMessage(
      {
        key: reply.id,
        value: typeof value === "string" ? Buffer.from(value, "utf8") : value,
        headers: { ...headers, [ANSWER_HEADER]: JSON.stringify(bare) },
        timestamp: String(Date.now()),
      },
      this.chunkBytes,
      () => randomBytes(8).toString("hex"),
    ).map((chunk) => ({
      key: chunk.key,
      value:
        chunk.value === null
          ? null
          : Buffer.from(chunk.value.buffer, chunk.value.byteOffset, chunk.value.byteLength),
      headers: chunk.headers,
    }));
  }

  private apply(reply: Reply): void {
    switch (reply.kind) {
      case "return":
        this.tracker.giveBack(reply.id, reply.key, BigInt(`0x${reply.amount}`), {
          engine: reply.engine,
          node: reply.node,
        });
        return;
      case "answer":
        this.tracker.deliverOnce(reply.key, reply.record);
        return;
      case "fail":
        this.tracker.fail(reply.id, 500, reply.error);
    }
  }

  private received(message: KafkaMessage): void {
    try {
      if (message.headers?.[ANSWER_HEADER] !== undefined) {
        this.receivedAnswer(message);
        return;
      }
      this.apply(JSON.parse(message.value?.toString("utf8") ?? "null") as Reply);
    } catch (error) {
      this.log.warn(`ignored a malformed request reply: ${errorMessage(error)}`);
    }
  }

  /** An answer message, or one chunk of one: applied once its value is whole. */
  private receivedAnswer(message: KafkaMessage): void {
    const out = this.answers.accept(frameOf(message), undefined);
    if (out.kind === "held" || out.kind === "skipped") return;
    const headers = { ...out.message.headers };
    const reply = JSON.parse(headers[ANSWER_HEADER] ?? "null") as Extract<Reply, { kind: "answer" }>;
    Reflect.deleteProperty(headers, ANSWER_HEADER);
    if (out.kind === "failed") {
      this.tracker.fail(reply.id, 502, `an answer could not be read: ${out.error}`);
      return;
    }
    const raw = out.message.value;
    const value = decodeValue(
      raw === null ? null : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength),
      headers,
    );
    this.apply({ ...reply, record: { ...reply.record, value } });
  }

  private heardCancel(message: KafkaMessage): void {
    try {
      const { id, deadline } = JSON.parse(message.value?.toString("utf8") ?? "null") as {
        id: string;
        deadline: number;
      };
      const now = Date.now();
      if (deadline > now) this.cancelled.set(id, deadline);
      // Past its deadline a request's records are dropped anyway: forget it.
      for (const [known, until] of this.cancelled) if (until <= now) this.cancelled.delete(known);
    } catch (error) {
      this.log.warn(`ignored a malformed request cancellation: ${errorMessage(error)}`);
    }
  }

  /** Creates this engine's reply topic and the cancellation topic if missing. */
  private topics(): Promise<void> {
    this.topicsMade ??= (async () => {
      const admin = await this.client.admin();
      try {
        const existing = new Set(await admin.listTopics());
        const missing = [this.address, CANCELLED_TOPIC].filter((topic) => !existing.has(topic));
        if (missing.length === 0) return;
        await admin.createTopics(
          missing.map((topic) => ({
            topic,
            partitions: 1,
            replicationFactor: undefined,
            configs: { "retention.ms": String(RETENTION_MS) },
          })),
        );
      } finally {
        await admin.disconnect();
      }
    })().catch((error: unknown) => {
      this.topicsMade = undefined;
      throw error;
    });
    return this.topicsMade;
  }

  /**
   * Reads a topic from its start with a group of its own (this run of this engine), committing
   * nothing: each run reads what is kept (at most 15 minutes). Resolves once it has joined.
   */
  private async consume(topic: string, each: (message: KafkaMessage) => void): Promise<void> {
    const consumer = this.client.consumer({
      groupId: `${topic}.${this.engineId}.${randomBytes(4).toString("hex")}`,
      topics: [topic],
      fromBeginning: true,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      concurrency: 1,
    });
    let joinedNow = (): void => undefined;
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no consumer group join on ${topic} within ${String(JOIN_TIMEOUT_MS)} ms`));
      }, JOIN_TIMEOUT_MS);
      joinedNow = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    // Awaited below unless connecting fails first: then its timeout must not go unhandled.
    joined.catch(() => undefined);
    try {
      await consumer.start({
        // Nothing is committed: each run of the engine reads what the topic keeps.
        batch: (batch, control) => {
          for (const message of batch.messages) each(message);
          const last = batch.messages.at(-1);
          if (last) control.resolved(last.offset);
          return Promise.resolve();
        },
        joined: (owned) => {
          if (owned.size > 0) joinedNow();
        },
        log: this.log,
      });
      await joined;
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    this.consumers.push(consumer);
  }

  private async deleteReplyTopic(): Promise<void> {
    let admin: EdgeAdmin | undefined;
    try {
      admin = await this.client.admin();
      await admin.deleteTopics([this.address]);
    } catch (error) {
      this.log.warn(`deleting reply topic ${this.address} failed: ${errorMessage(error)}`);
    } finally {
      await admin?.disconnect().catch(() => undefined);
    }
  }
}
