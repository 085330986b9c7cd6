import { Partitioners } from "kafkajs";
import type { Kafka, Message, Producer, TopicMessages } from "kafkajs";
import type { PortRecord, WeirRecord } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { Logger } from "../../logger";
import type { NodeOutput } from "../edge-transport";
import { encodeRecord } from "./record-codec";

const RETRY_MAX_MS = 5_000;

/** A producer that cannot reorder or duplicate within a session: acks from every in-sync replica. */
export function edgeProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    // Few retries inside kafkajs: KafkaNodeOutput retries on its own, and can stop doing so.
    retry: { retries: 5 },
  });
}

/**
 * A node's outgoing edges as topics. `send` resolves only once Kafka acknowledged every record
 * (acks=all), which is what lets the node's input commit. A broker that is away is waited for:
 * the send is retried with a fresh producer until it succeeds or the deployment stops, so a
 * record is never dropped (a retried send may write a record twice: at least once).
 */
export class KafkaNodeOutput implements NodeOutput {
  private producer: Promise<Producer> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topicsByPort: ReadonlyMap<string, readonly string[]>,
    private readonly stopped: AbortSignal,
    private readonly log: Logger,
  ) {}

  async send(outputs: readonly PortRecord[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const { port, record } of outputs) {
      for (const topic of this.topicsByPort.get(port) ?? []) {
        const list = byTopic.get(topic);
        const message = encodeRecord(record);
        if (list) list.push(message);
        else byTopic.set(topic, [message]);
      }
    }
    await this.deliver([...byTopic].map(([topic, messages]) => ({ topic, messages })));
  }

  async sendToPort(port: string, records: readonly WeirRecord[]): Promise<void> {
    const messages = records.map(encodeRecord);
    await this.deliver((this.topicsByPort.get(port) ?? []).map((topic) => ({ topic, messages })));
  }

  /** Sends to the given topics whatever the ports say (dead-letter replay into a node's input). */
  async sendTo(topics: readonly string[], records: readonly WeirRecord[]): Promise<void> {
    const messages = records.map(encodeRecord);
    await this.deliver(topics.map((topic) => ({ topic, messages })));
  }

  /** Downstream nodes read their topics for as long as they run; there is nothing to end. */
  close(): void {
    // Nothing to do: the producer is disconnected by the transport once every node has finished.
  }

  async disconnect(): Promise<void> {
    const producer = await this.producer?.catch(() => undefined);
    this.producer = undefined;
    await producer?.disconnect();
  }

  private async deliver(topicMessages: TopicMessages[]): Promise<void> {
    if (topicMessages.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        const producer = await this.connected();
        await producer.sendBatch({ topicMessages, acks: -1 });
        if (attempt > 1) this.log.info(`delivered after ${String(attempt)} attempts`);
        return;
      } catch (error) {
        if (this.stopped.aborted)
          throw new Error(`deployment stopped before Kafka acknowledged: ${errorMessage(error)}`);
        this.log.warn(`producing failed (attempt ${String(attempt)}), retrying: ${errorMessage(error)}`);
        // A producer whose broker went away may hold a stale session; start over with a new one.
        await this.disconnect().catch(() => undefined);
        await sleep(Math.min(RETRY_MAX_MS, 200 * 2 ** Math.min(attempt, 5)), this.stopped);
      }
    }
  }

  /** One producer per output, shared by concurrent sends (an HTTP ingest source emits from each request). */
  private connected(): Promise<Producer> {
    if (!this.producer) {
      const producer = edgeProducer(this.kafka);
      this.producer = producer.connect().then(() => producer);
    }
    return this.producer;
  }
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
