// What `apply` changes: the stored spec against the file's, node by node and edge by edge.
import type { FlowEdge, FlowNode, FlowSpec, FlowTest } from "@weir/domain";

/** JSON with keys sorted, so key order never counts as a change. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

function nodeChanges(before: FlowNode, after: FlowNode): string[] {
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof FlowNode>;
  const changed: string[] = [];
  for (const field of fields) {
    if (field === "config") {
      const b = before.config;
      const a = after.config;
      const keys = new Set([...Object.keys(b), ...Object.keys(a)]);
      for (const key of keys)
        if (canonical(b[key]) !== canonical(a[key])) changed.push(key === "code" ? "code" : `config.${key}`);
    } else if (canonical(before[field]) !== canonical(after[field])) {
      changed.push(field);
    }
  }
  return changed;
}

function byId<T extends { id: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((item) => [item.id, item]));
}

function describeEdge(edge: FlowEdge): string {
  return `${edge.from.node}.${edge.from.port} → ${edge.to.node}`;
}

/** One line per change; empty when the specs are the same flow. */
export function diffSpecs(before: FlowSpec, after: FlowSpec): string[] {
  const lines: string[] = [];
  if (before.name !== after.name) lines.push(`~ name: ${before.name} → ${after.name}`);
  if (before.description !== after.description) lines.push("~ description");
  const oldNodes = byId(before.nodes);
  const newNodes = byId(after.nodes);
  for (const [id, node] of newNodes) {
    const old = oldNodes.get(id);
    if (!old) lines.push(`+ node ${id} (${node.kind} ${node.type})`);
    else {
      const changed = nodeChanges(old, node);
      if (changed.length > 0) lines.push(`~ node ${id}: ${changed.join(", ")}`);
    }
  }
  for (const [id, node] of oldNodes)
    if (!newNodes.has(id)) lines.push(`- node ${id} (${node.kind} ${node.type})`);
  const oldEdges = byId(before.edges);
  const newEdges = byId(after.edges);
  for (const [id, edge] of newEdges) {
    const old = oldEdges.get(id);
    if (!old) lines.push(`+ edge ${id} (${describeEdge(edge)})`);
    else if (canonical(old) !== canonical(edge))
      lines.push(`~ edge ${id}: ${describeEdge(old)} ⇒ ${describeEdge(edge)}`);
  }
  for (const [id, edge] of oldEdges)
    if (!newEdges.has(id)) lines.push(`- edge ${id} (${describeEdge(edge)})`);
  lines.push(...testChanges(before.tests ?? [], after.tests ?? []));
  // Same nodes and edges in another order is still a change of the stored spec.
  if (lines.length === 0 && canonical(before) !== canonical(after)) lines.push("~ order of nodes or edges");
  return lines;
}

/** Test cases by name: added, removed, changed (their records or expectations). */
function testChanges(before: readonly FlowTest[], after: readonly FlowTest[]): string[] {
  const old = new Map(before.map((t) => [t.name, t]));
  const lines: string[] = [];
  for (const test of after) {
    const was = old.get(test.name);
    if (!was) lines.push(`+ test ${JSON.stringify(test.name)}`);
    else if (canonical(was) !== canonical(test)) lines.push(`~ test ${JSON.stringify(test.name)}`);
  }
  const now = new Set(after.map((t) => t.name));
  for (const test of before) if (!now.has(test.name)) lines.push(`- test ${JSON.stringify(test.name)}`);
  return lines;
}
