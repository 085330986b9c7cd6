import { randomBytes } from "node:crypto";
import type { FlowNode, FlowSpec, PortRecord, WeirRecord } from "@weir/domain";
import type { NodeOutput } from "../transport/edge-transport";
import type { RemoteRequests } from "./kafka-replies";
import type { CreditBook } from "./request-credit";
import { SOURCE_CREDIT, creditOf, withCredit } from "./request-credit";
import { REQUEST_HEADER } from "./request-tracker";
import type { RequestTracker } from "./request-tracker";
import type { RequestLedger } from "./tracked-io";

/** Copies of a record per port: one per edge leaving it. */
function edgesByPort(node: FlowNode, spec: FlowSpec): Map<string, number> {
  const counts = new Map<string, number>();
  for (const edge of spec.edges)
    if (edge.from.node === node.id) counts.set(edge.from.port, (counts.get(edge.from.port) ?? 0) + 1);
  return counts;
}

/**
 * A node's output on the Kafka transport for request flows: each record of a request gets its
 * share of credit before it leaves (see request-credit.ts). From a source (on the engine holding
 * the request) a fresh share, issued to the tracker; from any other node a part of the credit of
 * the input it was made from, which the output carries over in its headers.
 */
export class CreditOutput implements NodeOutput {
  private readonly edges: Map<string, number>;

  constructor(
    private readonly inner: NodeOutput,
    private readonly node: FlowNode,
    spec: FlowSpec,
    private readonly book: CreditBook,
    private readonly remote: RemoteRequests,
    private readonly tracker: RequestTracker,
  ) {
    this.edges = edgesByPort(node, spec);
  }

  async send(outputs: readonly PortRecord[]): Promise<void> {
    await this.inner.send(outputs.map(({ port, record }) => ({ port, record: this.credited(port, record) })));
  }

  async sendToPort(port: string, records: readonly WeirRecord[]): Promise<void> {
    await this.inner.sendToPort(
      port,
      records.map((record) => this.credited(port, record)),
    );
  }

  close(): void {
    this.inner.close();
  }

  private credited(port: string, record: WeirRecord): WeirRecord {
    const id = record.headers[REQUEST_HEADER];
    const copies = this.edges.get(port) ?? 0;
    if (id === undefined || copies === 0) return record;
    if (this.node.kind === "source") {
      this.tracker.issue(id, SOURCE_CREDIT * BigInt(copies));
      return withCredit(record, { token: randomBytes(12).toString("hex"), amount: SOURCE_CREDIT });
    }
    const input = creditOf(record);
    if (!input) return record;
    const share = this.book.pass(input, copies);
    if (share) return withCredit(record, share);
    this.remote.fail(
      record,
      `request made too many records in node '${this.node.id}' to be tracked; its answer cannot be completed`,
    );
    return record;
  }
}

/**
 * What a node's tracked input tells on the Kafka transport: a record of a cancelled (or timed-out)
 * request is dropped; a record the node is done with gives back the credit the node kept of it.
 */
export function creditLedger(nodeId: string, book: CreditBook, remote: RemoteRequests): RequestLedger {
  return {
    isCancelled: (record) => remote.isCancelled(record),
    release: (record) => {
      const credit = creditOf(record);
      if (!credit) return;
      const kept = book.settle(credit);
      if (kept > 0n) remote.giveBack(record, nodeId, kept);
    },
  };
}
