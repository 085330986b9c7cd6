import type { FlowNode, PortRecord, WeirRecord } from "@weir/domain";

/**
 * What a node reads. `take` gives the next batch (null once the input has ended); `ack` says
 * every record of the oldest batch taken and not yet acked has been fully handled (its outputs
 * delivered, or dead-lettered), which is when a durable transport may forget them. A node may
 * take its next batch before acking the last one; it acks them in the order it took them.
 */
export interface NodeInput {
  take(max: number): Promise<WeirRecord[] | null>;
  ack(): Promise<void>;
}

/** What a node writes to: each port's records go to every edge leaving that port. */
export interface NodeOutput {
  /** Resolves once the transport holds the records (in memory, or acknowledged by Kafka). */
  send(outputs: readonly PortRecord[]): Promise<void>;
  sendToPort(port: string, records: readonly WeirRecord[]): Promise<void>;
  /** This node will send nothing more. */
  close(): void;
}

/**
 * How the edges of one deployed flow are carried. The in-process transport keeps them as
 * bounded queues in this engine; the Kafka transport makes each edge a topic, so the nodes of
 * one flow can run on several engines and records survive a crash.
 */
export interface EdgeTransport {
  /** Whether the transport itself carries this node (a Kafka source or sink read or written directly). */
  absorbs(node: FlowNode): boolean;
  /** Creates what the edges need (topics); called once before any node starts. */
  prepare(): Promise<void>;
  /**
   * How many instances of a non-source node this engine runs, where the transport decides (in
   * memory: a function node's `parallelism`, split by key); otherwise the node's `parallelism`.
   */
  instancesOf?(node: FlowNode): number;
  /** One input per instance of a non-source node; `instance` counts from 0. */
  inputOf(node: FlowNode, instance: number): Promise<NodeInput>;
  /**
   * A node's output. Where `outputPerInstance` is set (exactly-once on Kafka), each function
   * instance gets its own, paired with the input `inputOf` gave it: its outputs commit together
   * with that input's offsets.
   */
  outputOf(node: FlowNode, input?: NodeInput): Promise<NodeOutput>;
  readonly outputPerInstance?: boolean;
  /** Whether `replay` can feed this node. */
  canReplay(nodeId: string): boolean;
  /** Feeds records into a node again (dead-letter replay), waiting until they are held. */
  replay(nodeId: string, records: readonly WeirRecord[]): Promise<void>;
  /** The deployment is stopping: inputs that do not end by themselves (Kafka) end now. */
  stopInputs(): void;
  /** After a drain timed out: what is still held in memory, by the node it was headed for. */
  stranded(): { nodeId: string; record: WeirRecord }[];
  /** Releases connections once every node has finished. */
  close(): Promise<void>;
}
