// What the canvas shows while a flow runs: the `stats.live` snapshot indexed by node and edge id.
export interface LiveNode {
  nodeId: string;
  recordsIn: number;
  recordsOut: number;
  errors: number;
  inPerSec: number | null;
  outPerSec: number | null;
  errorsPerSec: number | null;
  backlog: number | null;
  lastError: string | null;
}

export interface LiveEdge {
  edgeId: string;
  perSec: number | null;
  total: number | null;
}

export interface LiveView {
  at: string;
  nodes: Map<string, LiveNode>;
  edges: Map<string, LiveEdge>;
}

export function indexSnapshot(snapshot: {
  at: string;
  nodes: readonly LiveNode[];
  edges: readonly LiveEdge[];
}): LiveView {
  return {
    at: snapshot.at,
    nodes: new Map(snapshot.nodes.map((n) => [n.nodeId, n])),
    edges: new Map(snapshot.edges.map((e) => [e.edgeId, e])),
  };
}

/** `12.5/s`, `1.2k/s`, `—` while unknown. */
export function formatRate(perSec: number | null): string {
  if (perSec === null) return "—";
  return `${formatCount(perSec)}/s`;
}

/** Exact up to 99,999 (with separators), then compact: 123k, 3.4M. */
export function formatCount(n: number | null): string {
  if (n === null) return "—";
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${(n / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`;
  if (abs >= 1e5) return `${(n / 1e3).toFixed(0)}k`;
  return Number.isInteger(n) ? n.toLocaleString("en-US") : n.toFixed(1);
}
