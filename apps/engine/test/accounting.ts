// The accounting invariant of issue 10, checked on what `stats.get` returns: every record a node
// took in was completed, dead-lettered or is still in flight, and every record a node sent along
// an edge was taken in by the node at its end or still waits there (its lag). Fault tests call
// `expectAccounted` once a flow is quiet (stopped, or its counts settled).
import type { NodeStatsView } from "@weir/api";
import type { FlowSpecInput } from "@weir/domain";
import { expect } from "vitest";
import type { TestDatabase } from "./test-database";

export interface AccountedStats {
  nodes: readonly NodeStatsView[];
}

/** Per node: in = completed + dead-lettered + in flight. Per edge (when the flow is given): out = in + lag. */
export function expectAccounted(stats: AccountedStats, flow?: Pick<FlowSpecInput, "nodes" | "edges">): void {
  const byId = new Map(stats.nodes.map((node) => [node.nodeId, node]));
  for (const node of stats.nodes) {
    const { completed, deadLettered, inFlight } = node.accounting;
    expect(
      { node: node.nodeId, recordsIn: node.recordsIn },
      `records into '${node.nodeId}' = completed ${completed} + dead-lettered ${deadLettered} + in flight ${inFlight}`,
    ).toEqual({ node: node.nodeId, recordsIn: completed + deadLettered + inFlight });
    expect(inFlight, `'${node.nodeId}' in flight`).toBeGreaterThanOrEqual(0);
  }
  if (!flow) return;
  const kinds = new Map((flow.nodes ?? []).map((node) => [node.id, node.kind]));
  for (const node of flow.nodes ?? []) {
    if (node.kind === "source") continue;
    const incoming = (flow.edges ?? []).filter((edge) => edge.to.node === node.id);
    // An upstream node's out is per node, not per edge: only single-edge upstreams can be checked.
    const single = incoming.every(
      (edge) => (flow.edges ?? []).filter((other) => other.from.node === edge.from.node).length === 1,
    );
    const here = byId.get(node.id);
    if (!single || !here || incoming.length === 0) continue;
    const sent = incoming.reduce((sum, edge) => sum + (byId.get(edge.from.node)?.recordsOut ?? 0), 0);
    expect(
      { edgeInto: node.id, records: here.recordsIn + (here.lag ?? 0) },
      `records sent to '${node.id}' by ${incoming.map((e) => `'${e.from.node}' (${String(kinds.get(e.from.node))})`).join(", ")}`,
    ).toEqual({ edgeInto: node.id, records: sent });
  }
}

/** Reads the flow's stats, waiting until the counters are flushed and settled, then checks them. */
export async function expectFlowAccounted(
  t: TestDatabase,
  flowId: string,
  flow?: Pick<FlowSpecInput, "nodes" | "edges">,
  timeoutMs = 10_000,
): Promise<NodeStatsView[]> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const stats = await t.api.stats.get({ flowId });
    try {
      expectAccounted(stats, flow);
      return stats.nodes;
    } catch (error) {
      // Counters are flushed about once a second; a flush may fall between a batch's in and out.
      last = error;
    }
    if (Date.now() > deadline) throw last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
