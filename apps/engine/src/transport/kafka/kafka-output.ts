import type { Message, TopicMessages } from "kafkajs";
import type { PortRecord, WeirRecord } from "@weir/domain";
import type { NodeOutput } from "../edge-transport";
import type { TopicWriter } from "./topic-writer";

/** Where one edge's records go: an edge topic, or the topic of the Kafka sink the edge leads to. */
export interface OutputTarget {
  writer: TopicWriter;
  topic: string;
  /** One message, or a value's ordered chunk messages (edge topics split large values). */
  encode: (record: WeirRecord) => Message[];
  /** Called with the number of records Kafka acknowledged (a Kafka sink's stats). */
  delivered?(count: number): void;
}

interface Batch {
  target: OutputTarget;
  messages: Message[];
  /** Records the messages carry (a split value is one record in several messages). */
  records: number;
}

/**
 * A node's outgoing edges on Kafka. `send` resolves once every target acknowledged its records,
 * which is when the node may ack its input.
 */
export class KafkaNodeOutput implements NodeOutput {
  constructor(private readonly targetsByPort: ReadonlyMap<string, readonly OutputTarget[]>) {}

  async send(outputs: readonly PortRecord[]): Promise<void> {
    const byPort = new Map<string, WeirRecord[]>();
    for (const { port, record } of outputs) {
      const list = byPort.get(port);
      if (list) list.push(record);
      else byPort.set(port, [record]);
    }
    await this.deliver([...byPort].flatMap(([port, records]) => this.batchesFor(port, records)));
  }

  async sendToPort(port: string, records: readonly WeirRecord[]): Promise<void> {
    await this.deliver(this.batchesFor(port, records));
  }

  /** Downstream nodes read their topics for as long as they run; there is nothing to end. */
  close(): void {
    // Producers are disconnected by the transport once every node has finished.
  }

  private batchesFor(port: string, records: readonly WeirRecord[]): Batch[] {
    return (this.targetsByPort.get(port) ?? []).map((target) => ({
      target,
      messages: records.flatMap((record) => target.encode(record)),
      records: records.length,
    }));
  }

  /** One request per writer, all writers at once. */
  private async deliver(batches: readonly Batch[]): Promise<void> {
    const byWriter = new Map<TopicWriter, TopicMessages[]>();
    for (const { target, messages } of batches) {
      if (messages.length === 0) continue;
      const list = byWriter.get(target.writer) ?? [];
      list.push({ topic: target.topic, messages });
      byWriter.set(target.writer, list);
    }
    await Promise.all([...byWriter].map(([writer, topicMessages]) => writer.write(topicMessages)));
    for (const { target, records } of batches) target.delivered?.(records);
  }
}
