// What a version changed against the one before it, counted by node and edge id: added, removed,
// changed (a node whose type, name, config, ports or position differ; an edge whose ends differ).
// Read from the stored specs when versions are listed, so every version has one, old ones too.
import type { FlowEdge, FlowNode } from "@weir/domain";

export interface ChangeCount {
  added: number;
  removed: number;
  changed: number;
}

export interface VersionSummary {
  nodes: ChangeCount;
  edges: ChangeCount;
  /** The flow's name or description changed. */
  renamed: boolean;
}

interface SpecLike {
  name?: unknown;
  description?: unknown;
  nodes?: unknown;
  edges?: unknown;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function count<T extends { id: string }>(before: readonly T[], after: readonly T[]): ChangeCount {
  const old = new Map(before.map((item) => [item.id, item]));
  const result: ChangeCount = { added: 0, removed: 0, changed: 0 };
  const seen = new Set<string>();
  for (const item of after) {
    seen.add(item.id);
    const previous = old.get(item.id);
    if (!previous) result.added++;
    else if (!same(previous, item)) result.changed++;
  }
  for (const id of old.keys()) if (!seen.has(id)) result.removed++;
  return result;
}

const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

/** `previous` is null for a flow's first version: everything in it counts as added. */
export function summarizeChange(previous: SpecLike | null, next: SpecLike): VersionSummary {
  return {
    nodes: count(list<FlowNode>(previous?.nodes), list<FlowNode>(next.nodes)),
    edges: count(list<FlowEdge>(previous?.edges), list<FlowEdge>(next.edges)),
    renamed:
      previous !== null && (!same(previous.name, next.name) || !same(previous.description, next.description)),
  };
}
