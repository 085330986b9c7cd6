import type { FlowNode, FlowSpec, WeirRecord } from "@weir/domain";
import { BoundedQueue } from "../flow/bounded-queue";
import type { ByteBudget } from "../flow/bounded-queue";
import { NodeInputs } from "../flow/inputs";
import { NodeOutputs } from "../flow/outputs";
import type { EdgeTransport, NodeInput, NodeOutput } from "./edge-transport";

/**
 * Bytes of byte values one edge holds at most (besides its record capacity): a stream of large
 * chunks (an upload) keeps the engine's memory bounded whatever its total size.
 */
export const EDGE_QUEUE_BYTES = 2 * 1024 * 1024;

const BYTE_VALUES: ByteBudget<WeirRecord> = {
  maxBytes: EDGE_QUEUE_BYTES,
  bytesOf: (record) => (record.value instanceof Uint8Array ? record.value.byteLength : 0),
};

/**
 * Edges as bounded queues in this engine's memory: fast, ordered, with backpressure, and lost
 * on a crash. A node runs one instance here, whatever its parallelism says. Byte values are
 * carried as they are (no copy, no encoding), within EDGE_QUEUE_BYTES per edge.
 */
export class InProcessTransport implements EdgeTransport {
  private readonly edges = new Map<string, BoundedQueue<WeirRecord>>();
  /** Per non-source node: dead letters replayed into it, read alongside its edges. */
  private readonly replays = new Map<string, BoundedQueue<WeirRecord>>();

  constructor(
    private readonly spec: FlowSpec,
    capacity: number,
  ) {
    for (const edge of spec.edges) this.edges.set(edge.id, new BoundedQueue(capacity, BYTE_VALUES));
    for (const node of spec.nodes) {
      if (node.kind !== "source") this.replays.set(node.id, new BoundedQueue(capacity));
    }
  }

  absorbs(): boolean {
    return false;
  }

  /**
   * Refuses exactly-once: a crash loses what these queues hold, and a Kafka source read here
   * commits after its records are handled (at least once), so this transport cannot keep the
   * promise. Only the Kafka transport can.
   */
  prepare(): Promise<void> {
    if (this.spec.delivery === "exactly-once")
      return Promise.reject(
        new Error(
          'delivery "exactly-once" needs the Kafka transport (WEIR_TRANSPORT=kafka); this engine runs flows in process, where a crash loses records in flight. Deploy it on a Kafka engine, or set delivery to "at-least-once".',
        ),
      );
    return Promise.resolve();
  }

  inputOf(node: FlowNode): Promise<NodeInput> {
    const incoming = this.spec.edges.filter((e) => e.to.node === node.id).map((e) => this.queue(e.id));
    const replay = this.replays.get(node.id);
    return Promise.resolve(new NodeInputs(replay ? [...incoming, replay] : incoming));
  }

  outputOf(node: FlowNode): Promise<NodeOutput> {
    const byPort = new Map<string, BoundedQueue<WeirRecord>[]>();
    for (const edge of this.spec.edges.filter((e) => e.from.node === node.id)) {
      const list = byPort.get(edge.from.port) ?? [];
      list.push(this.queue(edge.id));
      byPort.set(edge.from.port, list);
    }
    return Promise.resolve(new NodeOutputs(byPort));
  }

  canReplay(nodeId: string): boolean {
    return this.replays.has(nodeId);
  }

  async replay(nodeId: string, records: readonly WeirRecord[]): Promise<void> {
    const queue = this.replays.get(nodeId);
    if (!queue) throw new Error(`flow has no node '${nodeId}' that accepts records`);
    await queue.push(records);
  }

  /** Closing the replay queues is enough: every other edge closes when its producer ends. */
  stopInputs(): void {
    for (const queue of this.replays.values()) queue.close();
  }

  stranded(): { nodeId: string; record: WeirRecord }[] {
    const out: { nodeId: string; record: WeirRecord }[] = [];
    for (const edge of this.spec.edges) {
      const queue = this.queue(edge.id);
      for (const record of queue.drainRemaining()) out.push({ nodeId: edge.to.node, record });
      queue.close();
    }
    return out;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private queue(edgeId: string): BoundedQueue<WeirRecord> {
    const queue = this.edges.get(edgeId);
    if (!queue) throw new Error(`unknown edge '${edgeId}'`);
    return queue;
  }
}
