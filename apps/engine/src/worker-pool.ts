import type { Db } from "@weir/db";
import { errorMessage } from "@weir/domain";
import type { FlowRunner } from "./flow/flow-runner";
import type { Logger } from "./logger";
import type { ClaimedDeployment } from "./reconciler";

/** A worker that failed to start is tried again after this long, not on every tick. */
const RETRY_MS = 5_000;

/**
 * Kafka transport: every engine runs the worker nodes (functions, sinks, Kafka sources) of every
 * running deployment; their consumer groups spread the partitions over the engines. No lease is
 * involved: the deployment's lease only decides where its non-Kafka sources run.
 */
export class WorkerPool {
  readonly running = new Map<string, FlowRunner>();
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly failedAt = new Map<string, number>();

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
    for (const id of this.running.keys()) if (!ids.has(id)) this.stop(id);
    for (const deployment of wanted) {
      if (this.running.has(deployment.id) || this.stopping.has(deployment.id)) continue;
      if (Date.now() - (this.failedAt.get(deployment.id) ?? 0) < RETRY_MS) continue;
      try {
        this.running.set(deployment.id, await this.start(deployment));
        this.failedAt.delete(deployment.id);
      } catch (error) {
        this.failedAt.set(deployment.id, Date.now());
        this.log.error(
          `workers of deployment ${deployment.id.slice(0, 8)} failed to start: ${errorMessage(error)}`,
        );
      }
    }
  }

  /**
   * Starts this engine's workers of a deployment it has just claimed, before its sources, so a
   * node that cannot start (a missing secret, a failing init) fails the deployment.
   */
  async ensure(deployment: ClaimedDeployment): Promise<void> {
    if (this.running.has(deployment.id)) return;
    await this.stopping.get(deployment.id);
    this.running.set(deployment.id, await this.start(deployment));
    this.failedAt.delete(deployment.id);
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
    for (const id of [...this.running.keys()]) this.stop(id);
    await Promise.all(this.stopping.values());
  }
}
