// What stats.live sends each tick: every node's totals and rates and every edge's rate for the
// flow's newest deployment. Pure: the router reads the rows, this turns them into a snapshot and
// keeps the rate state between ticks.
import type { NodeStats as NodeStatsRow } from "@weir/db";
import type { DeploymentStatus, FlowSpec, NodeTypeRegistry } from "@weir/domain";
import { portsOf } from "@weir/domain";
import type { RateState, Rates } from "./live-rates";
import { ZERO_RATES, advanceRates, roundRate, sumRates } from "./live-rates";
import { sumNodeStats } from "./node-stats";

export interface LiveNodeStats {
  nodeId: string;
  recordsIn: number;
  recordsOut: number;
  errors: number;
  /** Per second, between the last two flushes; null until two flushes have been seen. */
  inPerSec: number | null;
  outPerSec: number | null;
  errorsPerSec: number | null;
  /** Records waiting at the node's input (Kafka consumer lag, summed over engines); null when not reported. */
  backlog: number | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

export interface LiveEdgeStats {
  edgeId: string;
  /**
   * Records per second leaving along the edge. Engines count a node's outputs, not each port's,
   * so this is known only when the source node has a single output port (every edge of such a
   * node carries all its outputs); null otherwise, and until the node has a rate.
   */
  perSec: number | null;
  /** Records sent along the edge so far, under the same condition. */
  total: number | null;
}

export interface LiveStatsSnapshot {
  /** When the snapshot was taken (server time). */
  at: string;
  deployment: DeploymentStatus | null;
  nodes: LiveNodeStats[];
  edges: LiveEdgeStats[];
}

/** The newest deployment, its version's spec and its node_stats rows, as read at one tick. */
export interface LiveReading {
  deployment: DeploymentStatus;
  spec: FlowSpec;
  rows: readonly NodeStatsRow[];
}

/** Keeps rate state across ticks of one subscription; a new deployment starts over. */
export class LiveStatsTracker {
  private deploymentId: string | null = null;
  private rows = new Map<string, RateState>();

  constructor(private readonly registry: NodeTypeRegistry) {}

  snapshot(reading: LiveReading | null, now: Date): LiveStatsSnapshot {
    const at = now.toISOString();
    if (!reading) {
      this.reset(null);
      return { at, deployment: null, nodes: [], edges: [] };
    }
    const { deployment, spec, rows } = reading;
    if (deployment.id !== this.deploymentId) this.reset(deployment.id);

    const perNode = new Map<string, (Rates | null)[]>();
    const seen = new Map<string, RateState>();
    for (const row of rows) {
      const key = `${row.nodeId}\u0000${row.engineId}`;
      const state = advanceRates(
        this.rows.get(key),
        {
          recordsIn: Number(row.recordsIn),
          recordsOut: Number(row.recordsOut),
          errors: Number(row.errors),
          at: row.updatedAt.getTime(),
        },
        now.getTime(),
      );
      seen.set(key, state);
      perNode.set(row.nodeId, [...(perNode.get(row.nodeId) ?? []), state.rates]);
    }
    this.rows = seen;

    // A stopped deployment moves nothing, whatever its last flush said.
    const halted = deployment.actualState !== "running" && deployment.actualState !== "stopping";
    const totals = sumNodeStats(
      spec.nodes.map((n) => n.id),
      rows,
      now,
    );
    const nodes = totals.map((t): LiveNodeStats => {
      const rates = halted ? ZERO_RATES : sumRates(perNode.get(t.nodeId) ?? []);
      return {
        nodeId: t.nodeId,
        recordsIn: t.recordsIn,
        recordsOut: t.recordsOut,
        errors: t.errors,
        inPerSec: rates ? roundRate(rates.inPerSec) : null,
        outPerSec: rates ? roundRate(rates.outPerSec) : null,
        errorsPerSec: rates ? roundRate(rates.errorsPerSec) : null,
        backlog: t.lag,
        lastError: t.lastError,
        lastErrorAt: t.lastErrorAt,
      };
    });
    const byId = new Map(nodes.map((n) => [n.nodeId, n]));
    const edges = spec.edges.map((edge): LiveEdgeStats => {
      const from = spec.nodes.find((n) => n.id === edge.from.node);
      const definition = from ? this.registry.get(from.type) : undefined;
      const singlePort = definition !== undefined && portsOf(definition, from?.outputs).length === 1;
      const stats = byId.get(edge.from.node);
      return {
        edgeId: edge.id,
        perSec: singlePort ? (stats?.outPerSec ?? null) : null,
        total: singlePort ? (stats?.recordsOut ?? null) : null,
      };
    });
    return { at, deployment, nodes, edges };
  }

  private reset(deploymentId: string | null): void {
    this.deploymentId = deploymentId;
    this.rows = new Map();
  }
}
