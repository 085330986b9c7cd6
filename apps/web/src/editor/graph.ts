// Edits of the flow being drawn, as pure functions of the document: the canvas, the keyboard
// shortcuts and the tests all go through these, so the rules (no output from a sink, no cycle)
// hold however an edit was made.
import type { Delivery, FlowEdge, FlowNode, FlowTest, NodeKind, PortsSpec } from "@weir/domain";

/** What the editor holds of a flow: the versioned spec minus nothing. */
export interface FlowDoc {
  name: string;
  description: string;
  nodes: FlowNode[];
  edges: FlowEdge[];
  /** Exactly-once or at-least-once between nodes (left out for the default, as the stored spec does). */
  delivery?: Delivery;
  /** The flow's test cases (left out when it has none, as the stored spec does). */
  tests?: FlowTest[];
}

/** The editor's document of a stored (or imported) spec. */
export function docOfSpec(spec: FlowDoc): FlowDoc {
  const { name, description, nodes, edges, delivery, tests } = spec;
  return {
    name,
    description,
    nodes,
    edges,
    ...(delivery ? { delivery } : {}),
    ...(tests && tests.length > 0 ? { tests } : {}),
  };
}

/** What the editor knows of a node type (the API's `nodeTypes.list` item, trimmed). */
export interface NodeTypeInfo {
  type: string;
  kind: NodeKind;
  name: string;
  description: string;
  icon: string;
  ports: PortsSpec;
  configJsonSchema: unknown;
}

export type NodeTypeIndex = ReadonlyMap<string, NodeTypeInfo>;

export type ConnectCheck = { ok: true } | { ok: false; reason: string };

export interface Endpoint {
  node: string;
  port: string;
}

/** A node's output ports: the type's fixed list, or the node's own (functions), or the default. */
export function outputPorts(node: FlowNode, types: NodeTypeIndex): string[] {
  if (node.kind === "sink") return [];
  const info = types.get(node.type);
  if (!info) return node.outputs ?? [];
  if ("fixed" in info.ports) return [...info.ports.fixed];
  return [...(node.outputs ?? info.ports.userDefined.default)];
}

/** An id not used yet: `<base>`, then `<base>-2`, `<base>-3`, … (ids must match the domain's pattern). */
export function freshId(base: string, taken: ReadonlySet<string>): string {
  const clean = base.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 56) || "node";
  if (!taken.has(clean)) return clean;
  for (let n = 2; ; n++) {
    const candidate = `${clean}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

export function addNode(
  doc: FlowDoc,
  info: NodeTypeInfo,
  position: { x: number; y: number },
  config: FlowNode["config"] = {},
): { doc: FlowDoc; nodeId: string } {
  const nodeId = freshId(info.type, new Set(doc.nodes.map((n) => n.id)));
  const node: FlowNode = {
    id: nodeId,
    kind: info.kind,
    type: info.type,
    config: structuredClone(config),
    position: { x: Math.round(position.x), y: Math.round(position.y) },
  };
  return { doc: { ...doc, nodes: [...doc.nodes, node] }, nodeId };
}

/** Removes the nodes and edges named, and every edge touching a removed node. */
export function removeElements(
  doc: FlowDoc,
  nodeIds: Iterable<string>,
  edgeIds: Iterable<string> = [],
): FlowDoc {
  const nodes = new Set(nodeIds);
  const edges = new Set(edgeIds);
  if (nodes.size === 0 && edges.size === 0) return doc;
  return {
    ...doc,
    nodes: doc.nodes.filter((n) => !nodes.has(n.id)),
    edges: doc.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.from.node) && !nodes.has(e.to.node)),
  };
}

/** True when `to` can already reach `from`, so an edge from → to would close a cycle. */
function reaches(doc: FlowDoc, start: string, goal: string): boolean {
  const next = new Map<string, string[]>();
  for (const edge of doc.edges) next.set(edge.from.node, [...(next.get(edge.from.node) ?? []), edge.to.node]);
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    if (current === goal) return true;
    if (seen.has(current)) continue;
    seen.add(current);
    stack.push(...(next.get(current) ?? []));
  }
  return false;
}

/** Whether an edge may be drawn from a node's output port to another node, and if not why. */
export function canConnect(doc: FlowDoc, types: NodeTypeIndex, from: Endpoint, to: string): ConnectCheck {
  const source = doc.nodes.find((n) => n.id === from.node);
  const target = doc.nodes.find((n) => n.id === to);
  if (!source || !target) return { ok: false, reason: "both ends must be nodes of this flow" };
  if (source.kind === "sink") return { ok: false, reason: `'${source.id}' is a sink: sinks have no outputs` };
  if (target.kind === "source")
    return { ok: false, reason: `'${target.id}' is a source: sources take no input` };
  if (source.id === target.id) return { ok: false, reason: "a node cannot feed itself" };
  if (!outputPorts(source, types).includes(from.port))
    return { ok: false, reason: `'${source.id}' has no output port '${from.port}'` };
  if (doc.edges.some((e) => e.from.node === from.node && e.from.port === from.port && e.to.node === to))
    return { ok: false, reason: "these two are already connected" };
  if (reaches(doc, target.id, source.id))
    return {
      ok: false,
      reason: `'${target.id}' already leads to '${source.id}': this edge would make a cycle`,
    };
  return { ok: true };
}

/** Adds the edge if canConnect allows it; otherwise the reason, and the document unchanged. */
export function connect(
  doc: FlowDoc,
  types: NodeTypeIndex,
  from: Endpoint,
  to: string,
): { doc: FlowDoc; edgeId: string } | { doc: FlowDoc; refused: string } {
  const check = canConnect(doc, types, from, to);
  if (!check.ok) return { doc, refused: check.reason };
  const edgeId = freshId(`${from.node}-${to}`, new Set(doc.edges.map((e) => e.id)));
  const edge: FlowEdge = { id: edgeId, from: { ...from }, to: { node: to } };
  return { doc: { ...doc, edges: [...doc.edges, edge] }, edgeId };
}

export function moveNodes(doc: FlowDoc, positions: ReadonlyMap<string, { x: number; y: number }>): FlowDoc {
  if (positions.size === 0) return doc;
  return {
    ...doc,
    nodes: doc.nodes.map((n) => {
      const p = positions.get(n.id);
      return p ? { ...n, position: { x: Math.round(p.x), y: Math.round(p.y) } } : n;
    }),
  };
}

export function updateNode(doc: FlowDoc, nodeId: string, change: (node: FlowNode) => FlowNode): FlowDoc {
  return { ...doc, nodes: doc.nodes.map((n) => (n.id === nodeId ? change(n) : n)) };
}

/**
 * Sets a function node's output ports. Edges from ports that no longer exist are dropped, since
 * the flow would not validate with them.
 */
export function setOutputs(doc: FlowDoc, nodeId: string, outputs: string[]): FlowDoc {
  const updated = updateNode(doc, nodeId, (n) => ({ ...n, outputs }));
  return {
    ...updated,
    edges: updated.edges.filter((e) => e.from.node !== nodeId || outputs.includes(e.from.port)),
  };
}

/** What Ctrl+C keeps: the chosen nodes and the edges between them. */
export interface Clipboard {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

export function copySelection(doc: FlowDoc, nodeIds: Iterable<string>): Clipboard {
  const ids = new Set(nodeIds);
  return {
    nodes: doc.nodes.filter((n) => ids.has(n.id)).map((n) => structuredClone(n)),
    edges: doc.edges.filter((e) => ids.has(e.from.node) && ids.has(e.to.node)).map((e) => structuredClone(e)),
  };
}

/** Pastes with fresh ids, shifted by `offset`; the pasted nodes are returned to be selected. */
export function paste(
  doc: FlowDoc,
  clipboard: Clipboard,
  offset: { x: number; y: number },
): { doc: FlowDoc; nodeIds: string[] } {
  const nodeIdsTaken = new Set(doc.nodes.map((n) => n.id));
  const edgeIdsTaken = new Set(doc.edges.map((e) => e.id));
  const renamed = new Map<string, string>();
  const nodes = clipboard.nodes.map((n) => {
    const id = freshId(n.id, nodeIdsTaken);
    nodeIdsTaken.add(id);
    renamed.set(n.id, id);
    return {
      ...structuredClone(n),
      id,
      position: { x: n.position.x + offset.x, y: n.position.y + offset.y },
    };
  });
  const edges = clipboard.edges.flatMap((e) => {
    const from = renamed.get(e.from.node);
    const to = renamed.get(e.to.node);
    if (from === undefined || to === undefined) return [];
    const id = freshId(`${from}-${to}`, edgeIdsTaken);
    edgeIdsTaken.add(id);
    return [{ id, from: { node: from, port: e.from.port }, to: { node: to } }];
  });
  return {
    doc: { ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges] },
    nodeIds: nodes.map((n) => n.id),
  };
}

/** Room a node takes on the canvas, roughly, for placing new ones beside rather than on top. */
const NODE_BOX = { width: 220, height: 110 };

/**
 * The first spot at or to the right of `wanted` (then on the next rows down) that no node
 * covers, so nodes added by double-click line up instead of piling on each other.
 */
export function freeSpot(doc: FlowDoc, wanted: { x: number; y: number }): { x: number; y: number } {
  const taken = (x: number, y: number): boolean =>
    doc.nodes.some(
      (n) => Math.abs(n.position.x - x) < NODE_BOX.width && Math.abs(n.position.y - y) < NODE_BOX.height,
    );
  for (let row = 0; row < 20; row++) {
    for (let column = 0; column < 8; column++) {
      const x = wanted.x + column * (NODE_BOX.width + 40);
      const y = wanted.y + row * (NODE_BOX.height + 30);
      if (!taken(x, y)) return { x: Math.round(x), y: Math.round(y) };
    }
  }
  return wanted;
}
