import type { FlowNode, FlowSpec } from "@weir/domain";

/**
 * Which edges need no topic of their own. A Kafka source with one edge out, to a node with no
 * other input, is read by that node directly (the source's topic is the edge); an edge that is a
 * Kafka sink's only input is written to the sink's topic directly. Each such hop would otherwise
 * copy every record through one more topic. An edge that sets `partitions` keeps its own topic
 * (to spread a topic with few partitions over more instances), and so does an edge from a Kafka
 * source straight to a Kafka sink (someone must read it).
 */
export function directEdges(spec: FlowSpec): {
  /** edge id → the Kafka source read in its place */
  sources: Map<string, FlowNode>;
  /** edge id → the Kafka sink written in its place */
  sinks: Map<string, FlowNode>;
  /** ids of the Kafka source and sink nodes the transport runs itself */
  absorbed: Set<string>;
} {
  const nodes = new Map(spec.nodes.map((node) => [node.id, node]));
  const outgoing = (id: string): number => spec.edges.filter((edge) => edge.from.node === id).length;
  const incoming = (id: string): number => spec.edges.filter((edge) => edge.to.node === id).length;
  const sources = new Map<string, FlowNode>();
  const sinks = new Map<string, FlowNode>();
  for (const edge of spec.edges) {
    const from = nodes.get(edge.from.node);
    const to = nodes.get(edge.to.node);
    if (!from || !to || edge.partitions !== undefined) continue;
    const fromSource = from.type === "kafka-source";
    const toSink = to.type === "kafka-sink";
    if (fromSource && toSink) continue;
    if (fromSource && outgoing(from.id) === 1 && incoming(to.id) === 1) sources.set(edge.id, from);
    if (toSink && incoming(to.id) === 1) sinks.set(edge.id, to);
  }
  return {
    sources,
    sinks,
    absorbed: new Set([...sources.values(), ...sinks.values()].map((node) => node.id)),
  };
}
