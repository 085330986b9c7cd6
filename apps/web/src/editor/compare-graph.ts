// The comparison drawn on the canvas: every node and edge of the newer flow, marked added, changed
// or unchanged, plus the older flow's removed ones drawn where they were; and which version a
// "Roll back" in the comparison goes to. Pure, beside version-diff.ts whose FlowDiff it reads.
import type { FlowEdge, FlowNode } from "@weir/domain";
import type { FlowDoc } from "./graph";
import type { FlowDiff } from "./version-diff";
import { diffFlows } from "./version-diff";

export type Mark = "added" | "removed" | "changed" | "same";

export interface ComparedNode {
  node: FlowNode;
  mark: Mark;
  /** For a changed node, what changed ("name", "config.topic", "code"); empty otherwise. */
  changes: string[];
}

export interface ComparedEdge {
  edge: FlowEdge;
  mark: Mark;
}

export interface Comparison {
  nodes: ComparedNode[];
  edges: ComparedEdge[];
  /** Output ports each node needs a handle for: the ones its edges in the comparison leave from. */
  portsUsed: ReadonlyMap<string, string[]>;
  counts: Record<Exclude<Mark, "same">, { nodes: number; edges: number }>;
}

/** The two flows as one graph to draw; `diff` when the caller has it already. */
export function compareGraph(
  before: FlowDoc,
  after: FlowDoc,
  diff: FlowDiff = diffFlows(before, after),
): Comparison {
  const added = new Set(diff.nodesAdded.map((n) => n.id));
  const changed = new Map(
    diff.nodesChanged.map((c) => [
      c.id,
      [
        ...(c.renamedFrom !== undefined ? ["name"] : []),
        ...c.fields.map((f) => f.field),
        ...(c.code ? ["code"] : []),
      ],
    ]),
  );
  const nodes: ComparedNode[] = [
    ...after.nodes.map((node): ComparedNode => {
      if (added.has(node.id)) return { node, mark: "added", changes: [] };
      const changes = changed.get(node.id);
      return changes ? { node, mark: "changed", changes } : { node, mark: "same", changes: [] };
    }),
    ...diff.nodesRemoved.map((node): ComparedNode => ({ node, mark: "removed", changes: [] })),
  ];
  const edgesAdded = new Set(diff.edgesAdded.map((e) => e.id));
  const edgesChanged = new Set(diff.edgesChanged.map((e) => e.after.id));
  const edges: ComparedEdge[] = [
    ...after.edges.map((edge): ComparedEdge => ({
      edge,
      mark: edgesAdded.has(edge.id) ? "added" : edgesChanged.has(edge.id) ? "changed" : "same",
    })),
    ...diff.edgesRemoved.map((edge): ComparedEdge => ({ edge, mark: "removed" })),
  ];
  const portsUsed = new Map<string, string[]>();
  for (const { edge } of edges) {
    const ports = portsUsed.get(edge.from.node) ?? [];
    if (!ports.includes(edge.from.port)) ports.push(edge.from.port);
    portsUsed.set(edge.from.node, ports);
  }
  const count = (mark: Mark) => ({
    nodes: nodes.filter((n) => n.mark === mark).length,
    edges: edges.filter((e) => e.mark === mark).length,
  });
  return {
    nodes,
    edges,
    portsUsed,
    counts: { added: count("added"), removed: count("removed"), changed: count("changed") },
  };
}

/** A node's ports for the comparison: its own, then any its old edges left from that it has lost. */
export function portsFor(own: readonly string[], used: readonly string[] | undefined): string[] {
  return [...own, ...(used ?? []).filter((p) => !own.includes(p))];
}

/** One side of a comparison: a saved version, or what the canvas holds now. */
export type Side = number | "canvas";

/**
 * The version the comparison offers to roll back to: the saved side that is not the latest (the
 * older one when both are), or null when there is none (latest against the canvas, say).
 */
export function rollbackTarget(from: Side, to: Side, latest: number): number | null {
  const candidates = [from, to].filter((s): s is number => typeof s === "number" && s !== latest);
  return candidates.length === 0 ? null : Math.min(...candidates);
}

/** "1 node added, 2 changed; 1 edge removed", for the legend and screen readers. */
export function countsText(counts: Comparison["counts"]): string {
  const part = (what: "node" | "edge", key: "nodes" | "edges"): string => {
    const bits = (["added", "removed", "changed"] as const)
      .filter((m) => counts[m][key] > 0)
      .map((m, i) => {
        const n = counts[m][key];
        return i === 0 ? `${String(n)} ${what}${n === 1 ? "" : "s"} ${m}` : `${String(n)} ${m}`;
      });
    return bits.join(", ");
  };
  const text = [part("node", "nodes"), part("edge", "edges")].filter((s) => s !== "").join("; ");
  return text === "" ? "no differences" : text;
}
