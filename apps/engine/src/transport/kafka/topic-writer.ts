import type { Message, TopicMessages } from "kafkajs";
import { errorMessage } from "@weir/domain";
import type { Logger } from "../../logger";
import type { EdgeClient, EdgeProducer, ProducerSettings } from "./edge-client";

const RETRY_MAX_MS = 5_000;
/** Messages per produce request, well under the broker's default 1 MB per partition batch for 1 KB records. */
export const MESSAGES_PER_REQUEST = 500;

/** Edge topics: a producer that cannot reorder or duplicate within a session, acks from every replica. */
export const EDGE_PRODUCER: ProducerSettings = { idempotent: true, acks: -1, compression: "none" };

export interface WriterSettings {
  client: EdgeClient;
  producer: ProducerSettings;
  /**
   * Value bytes per produce request (unset: no bound). The broker refuses a partition's batch over
   * its message.max.bytes, so a value split into chunks goes one chunk or so per request.
   */
  maxRequestBytes?: number;
}

/**
 * One producer and the way it is retried. `write` resolves only once Kafka acknowledged every
 * message (with acks -1: every in-sync replica), which is what lets a node's input commit. A
 * broker that is away is waited for: the write is retried with a fresh producer until it succeeds
 * or the deployment stops, so a record is never dropped (a retried write may store a record
 * twice: at least once).
 */
export class TopicWriter {
  private producer: Promise<EdgeProducer> | undefined;

  constructor(
    private readonly settings: WriterSettings,
    private readonly stopped: AbortSignal,
    private readonly log: Logger,
  ) {}

  async write(topicMessages: TopicMessages[]): Promise<void> {
    for (const request of splitRequests(topicMessages, this.settings.maxRequestBytes ?? Infinity))
      await this.writeOne(request);
  }

  private async writeOne(topicMessages: TopicMessages[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const producer = await this.connected();
        await producer.send(topicMessages);
        if (attempt > 1) this.log.info(`delivered after ${String(attempt)} attempts`);
        return;
      } catch (error) {
        // A refusal that waiting cannot fix (a record too large): the caller dead-letters.
        if (this.settings.client.isPermanent(error))
          throw new Error(`Kafka refused the records: ${errorMessage(error)}`);
        if (this.stopped.aborted)
          throw new Error(`deployment stopped before Kafka acknowledged: ${errorMessage(error)}`);
        this.log.warn(`producing failed (attempt ${String(attempt)}), retrying: ${errorMessage(error)}`);
        // A producer whose broker went away may hold a stale session; start over with a new one.
        await this.disconnect().catch(() => undefined);
        await sleep(Math.min(RETRY_MAX_MS, 200 * 2 ** Math.min(attempt, 5)), this.stopped);
      }
    }
  }

  async disconnect(): Promise<void> {
    const producer = await this.producer?.catch(() => undefined);
    this.producer = undefined;
    await producer?.disconnect();
  }

  /** One producer shared by concurrent writes (an HTTP ingest source emits from each request). */
  private connected(): Promise<EdgeProducer> {
    this.producer ??= this.settings.client.producer(this.settings.producer);
    return this.producer;
  }
}

/**
 * Cuts a write into requests of at most MESSAGES_PER_REQUEST messages and (but for a single
 * message larger on its own) `maxBytes` value bytes, in order.
 */
export function splitRequests(topicMessages: readonly TopicMessages[], maxBytes: number): TopicMessages[][] {
  const requests: TopicMessages[][] = [];
  let current: TopicMessages[] = [];
  let size = 0;
  let bytes = 0;
  const cut = (): void => {
    if (size > 0) requests.push(current);
    current = [];
    size = 0;
    bytes = 0;
  };
  for (const { topic, messages } of topicMessages) {
    let run: Message[] = [];
    for (const message of messages) {
      const length = maxBytes === Infinity ? 0 : valueBytes(message);
      if (size > 0 && (size === MESSAGES_PER_REQUEST || bytes + length > maxBytes)) {
        if (run.length > 0) current.push({ topic, messages: run });
        run = [];
        cut();
      }
      run.push(message);
      size++;
      bytes += length;
    }
    if (run.length > 0) current.push({ topic, messages: run });
  }
  cut();
  return requests;
}

function valueBytes(message: Message): number {
  const value = message.value;
  if (value === null) return 0;
  return typeof value === "string" ? Buffer.byteLength(value, "utf8") : value.byteLength;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
