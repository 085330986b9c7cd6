// Exactly-once output of one function instance on Kafka: records are not produced on their own
// but staged on the paired input, whose ack produces them in the transaction that also commits
// the batch's input offsets (transactional-input.ts).
import type { Message, TopicMessages } from "kafkajs";
import type { PortRecord, WeirRecord } from "@weir/domain";
import type { NodeOutput } from "../edge-transport";
import type { TransactionalNodeInput } from "./transactional-input";

/** Where one edge's records go: an edge topic, or a Kafka sink's topic on the input's cluster. */
export interface TransactionalTarget {
  topic: string;
  encode: (record: WeirRecord) => Message[];
  /** Called with the number of records committed (a Kafka sink's stats). */
  delivered?(count: number): void;
}

export class TransactionalNodeOutput implements NodeOutput {
  constructor(
    private readonly input: TransactionalNodeInput,
    private readonly targetsByPort: ReadonlyMap<string, readonly TransactionalTarget[]>,
  ) {}

  send(outputs: readonly PortRecord[]): Promise<void> {
    const byPort = new Map<string, WeirRecord[]>();
    for (const { port, record } of outputs) {
      const list = byPort.get(port);
      if (list) list.push(record);
      else byPort.set(port, [record]);
    }
    for (const [port, records] of byPort) this.stage(port, records);
    return Promise.resolve();
  }

  sendToPort(port: string, records: readonly WeirRecord[]): Promise<void> {
    this.stage(port, records);
    return Promise.resolve();
  }

  close(): void {
    // The paired input's producers close with the transport.
  }

  private stage(port: string, records: readonly WeirRecord[]): void {
    if (records.length === 0) return;
    for (const target of this.targetsByPort.get(port) ?? []) {
      const topicMessages: TopicMessages[] = [
        { topic: target.topic, messages: records.flatMap((record) => target.encode(record)) },
      ];
      const count = records.length;
      this.input.stage(
        topicMessages,
        target.delivered
          ? () => {
              target.delivered?.(count);
            }
          : undefined,
      );
    }
  }
}
