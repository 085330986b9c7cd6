// Templates written by hand (and the quickstart's JSON) leave node positions out; opened as they
// are, every node would sit at (0, 0). This lays them out left to right by their distance from a
// source, one column per step, the nodes of a column stacked.
import type { FlowSpecInput } from "@weir/domain";

const COLUMN = 300;
const ROW = 150;

export function withLayout(spec: FlowSpecInput): FlowSpecInput {
  const nodes = spec.nodes ?? [];
  if (nodes.some((n) => n.position !== undefined)) return spec;
  const edges = spec.edges ?? [];
  const depth = new Map<string, number>(nodes.map((n) => [n.id, 0]));
  // Longest path from a source; a cycle (refused on save anyway) stops after nodes.length rounds.
  for (let round = 0; round < nodes.length; round++) {
    let changed = false;
    for (const edge of edges) {
      const next = (depth.get(edge.from.node) ?? 0) + 1;
      if (depth.has(edge.to.node) && next > (depth.get(edge.to.node) ?? 0)) {
        depth.set(edge.to.node, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const rows = new Map<number, number>();
  return {
    ...spec,
    nodes: nodes.map((node) => {
      const column = depth.get(node.id) ?? 0;
      const row = rows.get(column) ?? 0;
      rows.set(column, row + 1);
      return { ...node, position: { x: 40 + column * COLUMN, y: 40 + row * ROW } };
    }),
  };
}
