// Prometheus metrics of one engine (`GET /metrics`), read from the same per-node counters that
// are flushed to Postgres for the editor; prom-client adds the process's own metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { NodeCounters } from "./stats";

const LABELS = ["deployment", "node"] as const;
type BatchChild = ReturnType<Histogram<(typeof LABELS)[number]>["labels"]>;

export interface EngineMetrics {
  registry: Registry;
  /** What the node loops report beyond counts (FlowServices.metrics). */
  observe: {
    batch(deploymentId: string, nodeId: string, seconds: number): void;
    sandboxRestarts(deploymentId: string, nodeId: string, count: number): void;
  };
}

/** Registers the engine's metrics; `nodes` returns the counters of every node this engine runs. */
export function createMetrics(
  engineId: string,
  nodes: () => readonly NodeCounters[],
  peekedEdges: () => number = () => 0,
): EngineMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ engine: engineId });
  collectDefaultMetrics({ register: registry, prefix: "weir_engine_" });

  // Counters owned by the node loops: each scrape copies their current totals (since this process
  // started), which is what a Prometheus counter is.
  const counter = (name: string, help: string, read: (c: NodeCounters) => number): void => {
    new Counter({
      name,
      help,
      labelNames: LABELS,
      registers: [registry],
      collect() {
        this.reset();
        for (const c of nodes()) this.inc({ deployment: c.deploymentId, node: c.nodeId }, read(c));
      },
    });
  };
  counter("weir_node_records_in_total", "Records a node took from its inputs.", (c) => c.recordsIn);
  counter(
    "weir_node_records_out_total",
    "Records a node emitted (sources, functions) or wrote (sinks).",
    (c) => c.recordsOut,
  );
  counter(
    "weir_node_errors_total",
    "Records a node failed on, counting every failed attempt that was not retried.",
    (c) => c.errors,
  );
  counter(
    "weir_node_dead_lettered_total",
    "Records a node gave up on and stored as dead letters.",
    (c) => c.deadLettered,
  );

  new Gauge({
    name: "weir_edge_peeks_watched",
    help: "Edges this engine samples for edge peek now; 0 when nobody watches (sampling then costs nothing).",
    registers: [registry],
    collect() {
      this.set(peekedEdges());
    },
  });
  new Gauge({
    name: "weir_node_in_flight",
    help: "Records a node has taken but not finished (written, emitted or dead-lettered).",
    labelNames: LABELS,
    registers: [registry],
    collect() {
      this.reset();
      for (const c of nodes()) this.set({ deployment: c.deploymentId, node: c.nodeId }, c.inFlight);
    },
  });
  new Gauge({
    name: "weir_node_consumer_lag",
    help: "Kafka transport: records waiting in a node's input topics for this engine's consumers.",
    labelNames: LABELS,
    registers: [registry],
    collect() {
      this.reset();
      for (const c of nodes()) {
        const lag = c.lagJson();
        if (lag !== null) this.set({ deployment: c.deploymentId, node: c.nodeId }, lag.total);
      }
    },
  });
  // The two metrics the node loops observe themselves (not copied from the counters at a scrape):
  // a series whose node no longer runs here leaves at the next scrape, or /metrics would list
  // every deployment the engine ever ran (each new flow version is a new deployment).
  const observed = new Map<string, { labels: { deployment: string; node: string }; batch: BatchChild }>();
  const observedNode = (deployment: string, node: string) => {
    const key = `${deployment}\u0000${node}`;
    let entry = observed.get(key);
    if (!entry) {
      const labels = { deployment, node };
      // The labelled child, kept: observing through it skips prom-client's label hashing per batch.
      entry = { labels, batch: batchSeconds.labels(labels) };
      observed.set(key, entry);
    }
    return entry;
  };
  const forgetStopped = (): void => {
    const running = new Set(nodes().map((c) => `${c.deploymentId}\u0000${c.nodeId}`));
    for (const [key, { labels }] of observed) {
      if (running.has(key)) continue;
      batchSeconds.remove(labels);
      restarts.remove(labels);
      observed.delete(key);
    }
  };
  const batchSeconds: Histogram<(typeof LABELS)[number]> = new Histogram({
    name: "weir_function_batch_seconds",
    help: "Wall time of one call into a function runtime with a batch of records.",
    labelNames: LABELS,
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [registry],
    collect: forgetStopped,
  });
  const restarts: Counter<(typeof LABELS)[number]> = new Counter({
    name: "weir_function_sandbox_restarts_total",
    help: "Function sandboxes (isolates, wasm instances) thrown away and made anew after a crash or a limit.",
    labelNames: LABELS,
    registers: [registry],
    collect: forgetStopped,
  });
  return {
    registry,
    observe: {
      batch: (deployment, node, seconds) => {
        observedNode(deployment, node).batch.observe(seconds);
      },
      sandboxRestarts: (deployment, node, count) => {
        restarts.inc(observedNode(deployment, node).labels, count);
      },
    },
  };
}
