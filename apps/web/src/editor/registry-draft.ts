// Which part of the draft the server needs to derive a node's registry-based port types
// (flow.portTypes): the node and the nodes feeding it, with the edges between them. Null when no
// schema registry is involved, so nothing is asked for most nodes. A function's own code does not
// change its types, so it is left out: typing code does not ask again.
import type { FlowNode } from "@weir/domain";
import type { FlowDoc } from "./graph";

const KAFKA_TYPES = new Set(["kafka-source", "kafka-sink"]);

/** A Kafka source or sink that reads or writes registry-encoded values. */
export const usesRegistry = (node: FlowNode): boolean =>
  KAFKA_TYPES.has(node.type) && node.config.valueFormat === "registry";

const withoutCode = (node: FlowNode): FlowNode => (node.kind === "function" ? { ...node, config: {} } : node);

export interface RegistryDraft {
  name: string;
  nodes: FlowNode[];
  edges: FlowDoc["edges"];
}

export function registryDraft(doc: FlowDoc, nodeId: string | undefined): RegistryDraft | null {
  const node = doc.nodes.find((n) => n.id === nodeId);
  if (!node) return null;
  const incoming = doc.edges.filter((e) => e.to.node === node.id);
  const feeding = doc.nodes.filter((n) => incoming.some((e) => e.from.node === n.id) && n.id !== node.id);
  const involved = usesRegistry(node) || (node.schemas?.input === undefined && feeding.some(usesRegistry));
  if (!involved) return null;
  return {
    name: doc.name || "draft",
    nodes: [withoutCode(node), ...feeding.map(withoutCode)],
    edges: incoming,
  };
}
