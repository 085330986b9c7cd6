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
    return this.stageAll([...byPort]);
  }

  sendToPort(port: string, records: readonly WeirRecord[]): Promise<void> {
    return this.stageAll([[port, records]]);
  }

  close(): void {
    // The paired input's producers close with the transport.
  }

  /**
   * Every record is encoded before any is staged: a record that cannot be encoded rejects the
   * whole send (the runner dead-letters the batch) and leaves nothing half-staged in the transaction.
   */
  private stageAll(ports: readonly (readonly [string, readonly WeirRecord[]])[]): Promise<void> {
    const staged: { messages: TopicMessages[]; delivered: (() => void) | undefined }[] = [];
    try {
      for (const [port, records] of ports) {
        if (records.length === 0) continue;
        for (const target of this.targetsByPort.get(port) ?? []) {
          const count = records.length;
          staged.push({
            messages: [{ topic: target.topic, messages: records.flatMap((record) => target.encode(record)) }],
            delivered: target.delivered
              ? () => {
                  target.delivered?.(count);
                }
              : undefined,
          });
        }
      }
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    for (const { messages, delivered } of staged) this.input.stage(messages, delivered);
    return Promise.resolve();
  }
}
