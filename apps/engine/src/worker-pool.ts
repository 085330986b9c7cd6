import type { Db } from "@weir/db";
import { errorMessage } from "@weir/domain";
import type { FlowRunner } from "./flow/flow-runner";
import type { Logger } from "./logger";
import type { ClaimedDeployment } from "./reconciler";

/** A worker that failed to start is tried again after this long, not on every tick. */
const RETRY_MS = 5_000;
/**
 * Deployments whose workers start at once. A start mostly waits (on the broker's group joins, on
 * Postgres), so a few overlap well; all at once, a thousand deployed flows would open thousands of
 * connections and group joins together.
 */
const PARALLEL_STARTS = 4;

/**
 * Kafka transport: every engine runs the worker nodes (functions, sinks, Kafka sources) of every
 * running deployment; their consumer groups spread the partitions over the engines. No lease is
 * involved: the deployment's lease only decides where its non-Kafka sources run.
 *
 * Workers start in the background: a start waits for its consumer groups to be joined, seconds
 * while a group rebalances, and the engine's loop that called reconcile() must keep renewing its
 * leases and heartbeat meanwhile (awaited one after another, starts held that loop for 6 s and
 * more, long enough for another engine to take a lease this one still held).
 */
export class WorkerPool {
  readonly running = new Map<string, FlowRunner>();
  private readonly starting = new Map<string, Promise<FlowRunner>>();
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly failedAt = new Map<string, number>();
  /** Deployments waiting for a start slot, and every deployment wanted at the last reconcile. */
  private queue: ClaimedDeployment[] = [];
  private wanted = new Set<string>();
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly start: (deployment: ClaimedDeployment) => Promise<FlowRunner>,
    private readonly stopped: (id: string) => Promise<void>,
    private readonly log: Logger,
  ) {}

  /**
   * Runs the workers of every deployment that should run and has not failed. A deployment
   * between lease holders (`pending` after a graceful shutdown, `starting`) keeps its workers, so
   * handing the sources over does not stop the rest of the flow.
   */
  async reconcile(): Promise<void> {
    const wanted = await this.db.$queryRaw<ClaimedDeployment[]>`
      SELECT id, flow_id AS "flowId", flow_version_id AS "flowVersionId" FROM deployments
      WHERE desired_state = 'running' AND actual_state IN ('pending', 'starting', 'running')`;
    const ids = new Set(wanted.map((d) => d.id));
    // One that stopped being wanted while it started is stopped by the next reconcile.
    for (const id of this.running.keys()) if (!ids.has(id)) this.stop(id);
    this.wanted = ids;
    const now = Date.now();
    this.queue = wanted.filter((d) => now - (this.failedAt.get(d.id) ?? 0) >= RETRY_MS);
    this.pump();
  }

  /** Starts queued deployments while a start slot is free. */
  private pump(): void {
    while (!this.closed && this.starting.size < PARALLEL_STARTS) {
      const deployment = this.queue.shift();
      if (!deployment) return;
      const id = deployment.id;
      if (!this.wanted.has(id) || this.running.has(id) || this.starting.has(id) || this.stopping.has(id))
        continue;
      this.begin(deployment).catch((error: unknown) => {
        this.log.error(`workers of deployment ${id.slice(0, 8)} failed to start: ${errorMessage(error)}`);
      });
    }
  }

  /**
   * Starts this engine's workers of a deployment it has just claimed, before its sources, so a
   * node that cannot start (a missing secret, a failing init) fails the deployment.
   */
  async ensure(deployment: ClaimedDeployment): Promise<void> {
    if (this.running.has(deployment.id)) return;
    await this.stopping.get(deployment.id);
    // A start already under way (from reconcile) is this one: its failure fails the deployment.
    await (this.starting.get(deployment.id) ?? this.begin(deployment));
  }

  /** Starts the deployment's workers; they count as running once every node has started. */
  private begin(deployment: ClaimedDeployment): Promise<FlowRunner> {
    const id = deployment.id;
    const started = this.start(deployment)
      .then(
        (runner) => {
          this.running.set(id, runner);
          this.failedAt.delete(id);
          return runner;
        },
        (error: unknown) => {
          this.failedAt.set(id, Date.now());
          throw error;
        },
      )
      .finally(() => {
        this.starting.delete(id);
        this.pump();
      });
    this.starting.set(id, started);
    return started;
  }

  stop(id: string): void {
    const runner = this.running.get(id);
    if (!runner || this.stopping.has(id)) return;
    this.running.delete(id);
    const done = runner
      .stop()
      .then(() => this.stopped(id))
      .then(() => {
        this.log.info(`workers of deployment ${id.slice(0, 8)} stopped`);
      })
      .catch((error: unknown) => {
        this.log.error(`stopping the workers of ${id.slice(0, 8)} failed: ${errorMessage(error)}`);
      })
      .finally(() => this.stopping.delete(id));
    this.stopping.set(id, done);
  }

  async stopAll(): Promise<void> {
    this.closed = true;
    // A start under way is let finish (its failure was already reported), then stopped with the rest.
    await Promise.allSettled(this.starting.values());
    for (const id of [...this.running.keys()]) this.stop(id);
    await Promise.all(this.stopping.values());
  }
}
