import type { FlowNode, FlowSpec, WeirRecord } from "@weir/domain";
import { BoundedQueue } from "../flow/bounded-queue";
import type { ByteBudget } from "../flow/bounded-queue";
import { byteValueSize } from "../flow/byte-values";
import { NodeInputs } from "../flow/inputs";
import { NodeOutputs } from "../flow/outputs";
import type { EdgeTransport, NodeInput, NodeOutput } from "./edge-transport";
import { KeyedSplit } from "./keyed-split";

/**
 * Bytes of byte values one edge holds at most (besides its record capacity): a stream of large
 * chunks (an upload) keeps the engine's memory bounded whatever its total size.
 */
export const EDGE_QUEUE_BYTES = 2 * 1024 * 1024;

const BYTE_VALUES: ByteBudget<WeirRecord> = {
  maxBytes: EDGE_QUEUE_BYTES,
  bytesOf: byteValueSize,
};

/**
 * Edges as bounded queues in this engine's memory: fast, ordered, with backpressure, and lost
 * on a crash. A function node runs `parallelism` instances here, fed by key (KeyedSplit); other
 * nodes run one. Byte values are carried as they are (no copy, no encoding), within
 * EDGE_QUEUE_BYTES per edge.
 */
export class InProcessTransport implements EdgeTransport {
  private readonly edges = new Map<string, BoundedQueue<WeirRecord>>();
  /** Per non-source node: dead letters replayed into it, read alongside its edges. */
  private readonly replays = new Map<string, BoundedQueue<WeirRecord>>();
  /** Per function node with parallelism > 1: its input, split between its instances by key. */
  private readonly splits = new Map<string, KeyedSplit>();

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

  instancesOf(node: FlowNode): number {
    return node.kind === "function" ? (node.parallelism ?? 1) : 1;
  }

  inputOf(node: FlowNode, instance: number): Promise<NodeInput> {
    const count = this.instancesOf(node);
    if (count === 1) return Promise.resolve(this.edgesInto(node));
    let split = this.splits.get(node.id);
    if (!split) {
      split = new KeyedSplit(this.edgesInto(node), count);
      this.splits.set(node.id, split);
    }
    return Promise.resolve(split.inputOf(instance));
  }

  /** The node's incoming edges (and its replay queue) read as one stream. */
  private edgesInto(node: FlowNode): NodeInputs<WeirRecord> {
    const incoming = this.spec.edges.filter((e) => e.to.node === node.id).map((e) => this.queue(e.id));
    const replay = this.replays.get(node.id);
    return new NodeInputs(replay ? [...incoming, replay] : incoming);
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
    for (const [nodeId, split] of this.splits)
      for (const record of split.stranded()) out.push({ nodeId, record });
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
