// Places the problems a save or deploy reported (JSON paths into the spec that was sent, such as
// `nodes[2].config.code`) on the nodes and edges they concern, by the ids those indexes had in
// that spec: the canvas may have changed since, and ids are what it knows.
import type { FlowEdge, FlowNode } from "@weir/domain";

export interface ApiProblem {
  path: (string | number)[];
  pathString?: string;
  message: string;
  code?: string;
  line?: number;
  column?: number;
}

export interface PlacedProblem extends ApiProblem {
  nodeId?: string;
  edgeId?: string;
  /** The config key inside the node (`intervalMs`) when the problem is about one field. */
  field?: string;
  /** Where it is, as a person reads it: `transform › code`, `edge gen › out → transform`, `flow › name`. */
  where: string;
}

export interface PlacedProblems {
  all: PlacedProblem[];
  byNode: Map<string, PlacedProblem[]>;
  byEdge: Map<string, PlacedProblem[]>;
  /** About the flow as a whole (its name, …). */
  flow: PlacedProblem[];
  /**
   * Notes, not problems: what a save could not check and why (a schema registry lookup that was
   * skipped). Listed in the Problems tab with where they are; they mark nothing on the canvas.
   */
  notes: PlacedProblem[];
}

const nodeLabel = (node: FlowNode): string =>
  node.name !== undefined && node.name !== "" ? node.name : node.id;

/** The rest of a path inside a node or edge (`config.code` → `code`, `outputs[1]` stays). */
function restOf(path: readonly (string | number)[]): string {
  const parts = path[0] === "config" ? path.slice(1) : path;
  return parts.map((p, i) => (typeof p === "number" ? `[${String(p)}]` : i === 0 ? p : `.${p}`)).join("");
}

const push = <V>(map: Map<string, V[]>, key: string, value: V): void => {
  map.set(key, [...(map.get(key) ?? []), value]);
};

export function placeProblems(
  problems: readonly ApiProblem[],
  sent: { nodes: readonly FlowNode[]; edges: readonly FlowEdge[] },
  notes: readonly ApiProblem[] = [],
): PlacedProblems {
  const placed: PlacedProblems = { all: [], byNode: new Map(), byEdge: new Map(), flow: [], notes: [] };
  for (const problem of problems) {
    const item = placeOne(problem, sent);
    if (item.nodeId !== undefined) push(placed.byNode, item.nodeId, item);
    else if (item.edgeId !== undefined) push(placed.byEdge, item.edgeId, item);
    else placed.flow.push(item);
    placed.all.push(item);
  }
  placed.notes = notes.map((note) => placeOne(note, sent));
  return placed;
}

/** One problem with the node or edge its path names in `sent`, and where it is in words. */
function placeOne(
  problem: ApiProblem,
  sent: { nodes: readonly FlowNode[]; edges: readonly FlowEdge[] },
): PlacedProblem {
  const [collection, index, part, key] = problem.path;
  const item: PlacedProblem = { ...problem, where: problem.pathString ?? problem.path.join(".") };
  if (collection === "nodes" && typeof index === "number" && sent.nodes[index]) {
    const node = sent.nodes[index];
    item.nodeId = node.id;
    const rest = restOf(problem.path.slice(2));
    item.where = rest === "" ? nodeLabel(node) : `${nodeLabel(node)} › ${rest}`;
    if (part === "config" && typeof key === "string") item.field = key;
  } else if (collection === "edges" && typeof index === "number" && sent.edges[index]) {
    const edge = sent.edges[index];
    item.edgeId = edge.id;
    const from = sent.nodes.find((n) => n.id === edge.from.node);
    const to = sent.nodes.find((n) => n.id === edge.to.node);
    item.where = `edge ${from ? nodeLabel(from) : edge.from.node} › ${edge.from.port} → ${to ? nodeLabel(to) : edge.to.node}`;
  } else {
    const rest = restOf(problem.path);
    item.where = rest === "" ? "flow" : `flow › ${rest}`;
  }
  return item;
}

/** Reads `error.data.problems` off a tRPC error (or anything else), or null when it has none. */
export function problemsOfError(error: unknown): ApiProblem[] | null {
  const data = (error as { data?: { problems?: unknown } } | null)?.data;
  const problems = data?.problems;
  if (!Array.isArray(problems)) return null;
  return problems.filter(
    (p): p is ApiProblem =>
      typeof p === "object" &&
      p !== null &&
      Array.isArray((p as ApiProblem).path) &&
      typeof (p as ApiProblem).message === "string",
  );
}
