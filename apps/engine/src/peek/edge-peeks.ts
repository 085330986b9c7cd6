import { EdgeTap } from "./edge-tap";
import type { PeekSample } from "./edge-tap";

/**
 * The taps on one node's output ports, shared with its PeekedOutput. `size` is 0 while nobody
 * watches any of the node's edges: then each batch costs the output one comparison, nothing else.
 */
export class NodeTaps {
  size = 0;
  readonly byPort = new Map<string, EdgeTap[]>();
}

/** The edge as the deployment's spec has it. */
export interface PeekedEdge {
  id: string;
  fromNode: string;
  port: string;
}

export interface WatchRequest {
  deploymentId: string;
  edge: PeekedEdge;
  /** Who watches (one open panel); each watcher holds a lease of its own. */
  watcher: string;
  leaseMs: number;
  /** The redaction for the flow's secrets; asked for only when sampling starts. */
  redactor: () => Promise<(text: string) => string>;
}

/** What an edge holds on this engine, as the API merges it over engines. */
export interface PeekReading {
  /** This engine runs the node that sends along the edge (else it samples nothing here). */
  produced: boolean;
  samples: PeekSample[];
  /** Records that crossed since sampling started. */
  total: number;
  perSec: number | null;
  /** When sampling started (ms since the epoch). */
  since: number;
}

interface Watch {
  deploymentId: string;
  edge: PeekedEdge;
  tap: EdgeTap;
  /** Watcher → when its lease ends. */
  leases: Map<string, number>;
}

export interface EdgePeeksOptions {
  /** Records kept per watched edge. */
  capacity: number;
  /** Characters of a value's JSON kept per record. */
  maxValueChars: number;
  now?: () => number;
  /** How often expired leases are looked for while anything is watched; 0: only by sweep(). */
  sweepMs?: number;
}

const key = (deploymentId: string, id: string): string => `${deploymentId}\u0000${id}`;

/**
 * Edge peek for one engine: an edge is sampled only while some watcher's lease on it runs. A
 * lease is taken and renewed by watch() (the API calls it about once a second while a panel is
 * open) and ends by unwatch() or by running out; the edge's buffer is then dropped.
 */
export class EdgePeeks {
  private readonly nodes = new Map<string, NodeTaps>();
  /** Nodes whose output runs here (a PeekedOutput asked for their taps). */
  private readonly outputs = new Set<string>();
  private readonly watches = new Map<string, Watch>();
  private readonly starting = new Map<string, Promise<Watch>>();
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: EdgePeeksOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The taps a node's output reads; made when the node starts, kept until the deployment is forgotten. */
  tapsOf(deploymentId: string, nodeId: string): NodeTaps {
    this.outputs.add(key(deploymentId, nodeId));
    return this.taps(deploymentId, nodeId);
  }

  private taps(deploymentId: string, nodeId: string): NodeTaps {
    const k = key(deploymentId, nodeId);
    let taps = this.nodes.get(k);
    if (!taps) {
      taps = new NodeTaps();
      this.nodes.set(k, taps);
    }
    return taps;
  }

  /** Edges being sampled on this engine. */
  get watched(): number {
    return this.watches.size;
  }

  /** Takes or renews the watcher's lease and answers with what the edge holds. */
  async watch(request: WatchRequest): Promise<PeekReading> {
    this.sweep();
    const k = key(request.deploymentId, request.edge.id);
    let watch = this.watches.get(k);
    if (!watch) {
      let pending = this.starting.get(k);
      if (!pending) {
        pending = this.begin(request).finally(() => this.starting.delete(k));
        this.starting.set(k, pending);
      }
      watch = await pending;
    }
    const now = this.now();
    watch.leases.set(request.watcher, now + request.leaseMs);
    return {
      produced: this.outputs.has(key(request.deploymentId, request.edge.fromNode)),
      samples: watch.tap.samples(),
      total: watch.tap.total,
      perSec: watch.tap.perSec(now),
      since: watch.tap.since,
    };
  }

  /** The watcher closed its panel; the edge stops being sampled if nobody else watches it. */
  unwatch(deploymentId: string, edgeId: string, watcher: string): void {
    const watch = this.watches.get(key(deploymentId, edgeId));
    if (!watch) return;
    watch.leases.delete(watcher);
    if (watch.leases.size === 0) this.end(watch);
  }

  /** Ends every lease that ran out; an edge with none left is no longer sampled. */
  sweep(): void {
    const now = this.now();
    for (const watch of [...this.watches.values()]) {
      for (const [watcher, until] of watch.leases) if (until <= now) watch.leases.delete(watcher);
      if (watch.leases.size === 0) this.end(watch);
    }
  }

  /** The deployment stopped here: its taps and watches go. */
  forget(deploymentId: string): void {
    for (const watch of [...this.watches.values()]) if (watch.deploymentId === deploymentId) this.end(watch);
    const prefix = key(deploymentId, "");
    for (const k of [...this.nodes.keys()]) if (k.startsWith(prefix)) this.nodes.delete(k);
    for (const k of [...this.outputs]) if (k.startsWith(prefix)) this.outputs.delete(k);
  }

  close(): void {
    for (const watch of [...this.watches.values()]) this.end(watch);
    this.stopTimer();
  }

  private async begin(request: WatchRequest): Promise<Watch> {
    const redact = await request.redactor();
    const tap = new EdgeTap(
      { capacity: this.options.capacity, maxValueChars: this.options.maxValueChars, redact },
      this.now(),
    );
    const watch: Watch = { deploymentId: request.deploymentId, edge: request.edge, tap, leases: new Map() };
    this.watches.set(key(request.deploymentId, request.edge.id), watch);
    const taps = this.taps(request.deploymentId, request.edge.fromNode);
    taps.byPort.set(request.edge.port, [...(taps.byPort.get(request.edge.port) ?? []), tap]);
    taps.size++;
    this.startTimer();
    return watch;
  }

  private end(watch: Watch): void {
    const k = key(watch.deploymentId, watch.edge.id);
    if (this.watches.get(k) !== watch) return;
    this.watches.delete(k);
    const taps = this.nodes.get(key(watch.deploymentId, watch.edge.fromNode));
    if (taps) {
      const left = (taps.byPort.get(watch.edge.port) ?? []).filter((tap) => tap !== watch.tap);
      if (left.length > 0) taps.byPort.set(watch.edge.port, left);
      else taps.byPort.delete(watch.edge.port);
      taps.size--;
    }
    if (this.watches.size === 0) this.stopTimer();
  }

  private startTimer(): void {
    const every = this.options.sweepMs ?? 1000;
    if (this.timer !== undefined || every <= 0) return;
    this.timer = setInterval(() => {
      this.sweep();
    }, every);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
