/** Counters for one node, summed over every engine that runs it. */
export interface NodeStats {
  nodeId: string;
  recordsIn: number;
  recordsOut: number;
  errors: number;
  /** Records per second over the engine's last reporting window. */
  rate: number;
  lastError: string | null;
  lastErrorAt: string | null;
  /**
   * Kafka transport: records on the node's input topics not yet committed, summed over the
   * engines reporting now (each reports the partitions it owns). Null on the in-process transport.
   */
  lag: number | null;
}
