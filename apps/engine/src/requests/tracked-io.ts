import type { FlowNode, FlowSpec, PortRecord, WeirRecord } from "@weir/domain";
import type { NodeCounters } from "../stats";
import type { NodeInput, NodeOutput } from "../transport/edge-transport";
import type { RequestTracker } from "./request-tracker";

/**
 * A node's output that counts, before sending, each record of a request once per edge it goes on,
 * so the request tracker knows how many copies are in the flow.
 */
export class TrackedOutput implements NodeOutput {
  private readonly edgesByPort = new Map<string, number>();

  constructor(
    private readonly inner: NodeOutput,
    node: FlowNode,
    spec: FlowSpec,
    private readonly tracker: RequestTracker,
  ) {
    for (const edge of spec.edges)
      if (edge.from.node === node.id)
        this.edgesByPort.set(edge.from.port, (this.edgesByPort.get(edge.from.port) ?? 0) + 1);
  }

  async send(outputs: readonly PortRecord[]): Promise<void> {
    for (const { port, record } of outputs) this.tracker.add(record, this.edgesByPort.get(port) ?? 0);
    await this.inner.send(outputs);
  }

  async sendToPort(port: string, records: readonly WeirRecord[]): Promise<void> {
    const edges = this.edgesByPort.get(port) ?? 0;
    for (const record of records) this.tracker.add(record, edges);
    await this.inner.sendToPort(port, records);
  }

  close(): void {
    this.inner.close();
  }
}

/** What a tracked input tells: the in-process tracker, or credit given back across engines (credit-io.ts). */
export type RequestLedger = Pick<RequestTracker, "isCancelled" | "release">;

interface TakenBatch {
  records: WeirRecord[];
  /** Given to the node (false: every record of it belonged to cancelled requests). */
  handed: boolean;
  acked: boolean;
}

/**
 * A node's input that tells the request tracker when the node is done with a record (on ack:
 * outputs sent, dropped, dead-lettered or written) and drops, as it takes them, the records of
 * requests that were cancelled (client gone, timed out). A dropped record still counts in the
 * node's accounting: in, and completed with no output.
 */
export class TrackedInput implements NodeInput {
  private readonly taken: TakenBatch[] = [];

  constructor(
    private readonly inner: NodeInput,
    private readonly tracker: RequestLedger,
    private readonly counters: NodeCounters,
  ) {}

  async take(max: number): Promise<WeirRecord[] | null> {
    for (;;) {
      const batch = await this.inner.take(max);
      if (batch === null) return null;
      const live = batch.filter((record) => !this.tracker.isCancelled(record));
      const dropped = batch.filter((record) => this.tracker.isCancelled(record));
      if (dropped.length > 0) {
        this.counters.recordsIn += dropped.length;
        this.counters.completed += dropped.length;
        for (const record of dropped) this.tracker.release(record);
      }
      this.taken.push({ records: live, handed: live.length > 0, acked: false });
      if (live.length > 0) return live;
      await this.settle();
    }
  }

  async ack(): Promise<void> {
    const oldest = this.taken.find((batch) => batch.handed && !batch.acked);
    if (oldest) oldest.acked = true;
    await this.settle();
  }

  /** Acks the inner input in the order batches were taken, releasing their records. */
  private async settle(): Promise<void> {
    for (let head = this.taken[0]; head && (head.acked || !head.handed); head = this.taken[0]) {
      this.taken.shift();
      await this.inner.ack();
      for (const record of head.records) this.tracker.release(record);
    }
  }

  get backlog(): number {
    return (this.inner as { backlog?: number }).backlog ?? 0;
  }
}
