import type { Message, TopicMessages } from "kafkajs";
import { errorMessage } from "@weir/domain";
import type { Logger } from "../logger";
import type { TopicWriter } from "../transport/kafka/topic-writer";

/**
 * Sends small messages (replies, cancellations) in the order they were queued, one produce at a
 * time, everything queued meanwhile going in the next: a busy engine sends few large requests, an
 * idle one sends each message at once. The order matters for replies: an answer record is queued
 * before the credit its sink gives back, so the request's engine writes it before it can end.
 */
export class ReplyPublisher {
  private queue: { topic: string; message: Message }[] = [];
  private sending: Promise<void> | undefined;

  constructor(
    private readonly writer: TopicWriter,
    private readonly log: Logger,
  ) {}

  publish(topic: string, message: Message): void {
    this.queue.push({ topic, message });
    this.sending ??= this.drain().finally(() => {
      this.sending = undefined;
    });
  }

  /** Resolves once everything queued so far was sent (or given up on). */
  async flushed(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private async drain(): Promise<void> {
    // Let the rest of this tick's messages join the first request.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const byTopic = new Map<string, Message[]>();
      for (const { topic, message } of batch) {
        const list = byTopic.get(topic);
        if (list) list.push(message);
        else byTopic.set(topic, [message]);
      }
      const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
      try {
        await this.writer.write(topicMessages);
      } catch (error) {
        // Only when stopping or refused for good: the waiting request times out with a 504.
        this.log.warn(`sending ${String(batch.length)} request replies failed: ${errorMessage(error)}`);
      }
    }
  }
}
