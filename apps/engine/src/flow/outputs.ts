import type { PortRecord, WeirRecord } from "@weir/domain";
import type { BoundedQueue } from "./bounded-queue";

/** A node's outgoing edges grouped by port. A port with no edge sends nowhere, by the user's choice. */
export class NodeOutputs {
  constructor(private readonly byPort: ReadonlyMap<string, readonly BoundedQueue<WeirRecord>[]>) {}

  /** Sends each port's records to every edge of that port, in order, waiting under backpressure. */
  async send(outputs: readonly PortRecord[]): Promise<void> {
    const grouped = new Map<string, WeirRecord[]>();
    for (const { port, record } of outputs) {
      const list = grouped.get(port);
      if (list) list.push(record);
      else grouped.set(port, [record]);
    }
    const pushes: Promise<void>[] = [];
    for (const [port, records] of grouped) {
      for (const queue of this.byPort.get(port) ?? []) pushes.push(queue.push(records));
    }
    await Promise.all(pushes);
  }

  async sendToPort(port: string, records: readonly WeirRecord[]): Promise<void> {
    await Promise.all((this.byPort.get(port) ?? []).map((queue) => queue.push(records)));
  }

  close(): void {
    for (const queues of this.byPort.values()) for (const queue of queues) queue.close();
  }
}
