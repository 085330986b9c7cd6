// What changed between two flows (two saved versions, or a version and the unsaved canvas), as the
// Versions tab shows it: nodes added/removed/renamed, config changes field by field, edges, and a
// line diff of each function's code. Pure, so the rules are unit-tested apart from the page.
import type { FlowEdge, FlowNode } from "@weir/domain";
import type { FlowDoc } from "./graph";

export interface FieldChange {
  field: string;
  before: string | undefined;
  after: string | undefined;
}

export type DiffLine = { kind: "same" | "added" | "removed"; text: string };

export interface NodeChange {
  id: string;
  /** The node's name (or id) in the newer flow. */
  label: string;
  /** Set when the name differs: the name before. */
  renamedFrom?: string;
  fields: FieldChange[];
  /** Line diff of `config.code`, when the code differs. */
  code?: DiffLine[];
}

export interface FlowDiff {
  nodesAdded: FlowNode[];
  nodesRemoved: FlowNode[];
  nodesChanged: NodeChange[];
  edgesAdded: FlowEdge[];
  edgesRemoved: FlowEdge[];
  /** An edge whose ends differ under the same id, shown as before → after. */
  edgesChanged: { before: FlowEdge; after: FlowEdge }[];
  renamed?: { before: string; after: string };
  /** Nothing differs (positions aside). */
  empty: boolean;
}

/** A field's value as one line of text; strings as they are, everything else as JSON. */
const shown = (value: unknown): string | undefined =>
  value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(value);

const nodeLabel = (node: FlowNode): string => node.name ?? node.id;

/** Lines of `before` and `after` marked same/removed/added, by longest common subsequence. */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.split("\n");
  const b = after.split("\n");
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      const below = lcs[i + 1] as number[];
      row[j] =
        a[i] === b[j] ? (below[j + 1] as number) + 1 : Math.max(below[j] as number, row[j + 1] as number);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  const at = (x: number, y: number): number => (lcs[x] as number[])[y] as number;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ kind: "same", text: a[i] as string });
      i++;
      j++;
    } else if (at(i + 1, j) >= at(i, j + 1)) out.push({ kind: "removed", text: a[i++] as string });
    else out.push({ kind: "added", text: b[j++] as string });
  }
  while (i < a.length) out.push({ kind: "removed", text: a[i++] as string });
  while (j < b.length) out.push({ kind: "added", text: b[j++] as string });
  return out;
}

function nodeChange(before: FlowNode, after: FlowNode): NodeChange | null {
  const fields: FieldChange[] = [];
  const compare = (field: string, x: unknown, y: unknown): void => {
    const [bx, ay] = [shown(x), shown(y)];
    if (bx !== ay) fields.push({ field, before: bx, after: ay });
  };
  compare("type", before.type, after.type);
  const keys = [...new Set([...Object.keys(before.config), ...Object.keys(after.config)])].sort();
  for (const key of keys) if (key !== "code") compare(`config.${key}`, before.config[key], after.config[key]);
  compare("outputs", before.outputs, after.outputs);
  compare("parallelism", before.parallelism, after.parallelism);
  const [codeBefore, codeAfter] = [before.config.code, after.config.code];
  const code =
    shown(codeBefore) !== shown(codeAfter)
      ? diffLines(shown(codeBefore) ?? "", shown(codeAfter) ?? "")
      : undefined;
  const renamed = nodeLabel(before) !== nodeLabel(after);
  if (fields.length === 0 && code === undefined && !renamed) return null;
  return {
    id: after.id,
    label: nodeLabel(after),
    ...(renamed ? { renamedFrom: nodeLabel(before) } : {}),
    fields,
    ...(code ? { code } : {}),
  };
}

const sameEdge = (x: FlowEdge, y: FlowEdge): boolean =>
  x.from.node === y.from.node &&
  x.from.port === y.from.port &&
  x.to.node === y.to.node &&
  x.partitions === y.partitions;

/** What changed from `before` to `after`. A node's position is not a change worth listing. */
export function diffFlows(before: FlowDoc, after: FlowDoc): FlowDiff {
  const oldNodes = new Map(before.nodes.map((n) => [n.id, n]));
  const newNodes = new Map(after.nodes.map((n) => [n.id, n]));
  const nodesChanged: NodeChange[] = [];
  for (const node of after.nodes) {
    const previous = oldNodes.get(node.id);
    const change = previous ? nodeChange(previous, node) : null;
    if (change) nodesChanged.push(change);
  }
  const oldEdges = new Map(before.edges.map((e) => [e.id, e]));
  const newEdges = new Map(after.edges.map((e) => [e.id, e]));
  const edgesChanged = after.edges.flatMap((edge) => {
    const previous = oldEdges.get(edge.id);
    return previous && !sameEdge(previous, edge) ? [{ before: previous, after: edge }] : [];
  });
  const diff: FlowDiff = {
    nodesAdded: after.nodes.filter((n) => !oldNodes.has(n.id)),
    nodesRemoved: before.nodes.filter((n) => !newNodes.has(n.id)),
    nodesChanged,
    edgesAdded: after.edges.filter((e) => !oldEdges.has(e.id)),
    edgesRemoved: before.edges.filter((e) => !newEdges.has(e.id)),
    edgesChanged,
    ...(before.name !== after.name ? { renamed: { before: before.name, after: after.name } } : {}),
    empty: false,
  };
  diff.empty =
    diff.nodesAdded.length + diff.nodesRemoved.length + nodesChanged.length === 0 &&
    diff.edgesAdded.length + diff.edgesRemoved.length + edgesChanged.length === 0 &&
    diff.renamed === undefined;
  return diff;
}

/** `gen.out → log` with node names where the flow knows them. */
export function edgeText(edge: FlowEdge, doc: FlowDoc): string {
  const name = (id: string): string => {
    const node = doc.nodes.find((n) => n.id === id);
    return node ? nodeLabel(node) : id;
  };
  return `${name(edge.from.node)}.${edge.from.port} → ${name(edge.to.node)}`;
}
