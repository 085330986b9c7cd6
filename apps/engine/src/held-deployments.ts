// The deployments whose lease this engine holds: their starts, which run beside the engine's
// loop (at most CLAIMS_PER_READ at a time), and their stops. The loop (engine.ts) decides what
// to claim, keep and stop; this carries it out and records each outcome on the deployment.
import { errorMessage } from "@weir/domain";
import type { FlowRunner } from "./flow/flow-runner";
import type { FlowRunners } from "./flow-runners";
import type { Logger } from "./logger";
import type { ClaimedDeployment, DeploymentLeases } from "./reconciler";
import { CLAIMS_PER_READ } from "./reconciler";
import type { WorkerPool } from "./worker-pool";

export interface HeldDeploymentsDeps {
  leases: DeploymentLeases;
  runners: FlowRunners;
  /** Kafka transport only: this engine's share of every running deployment. */
  workers: WorkerPool | undefined;
  log: Logger;
  /** Writes a stopped deployment's last counters and records, and drops them if nothing of it runs here. */
  afterStop(id: string): Promise<void>;
  /** A start ended: the loop reads again, to renew its lease as running and claim what waits. */
  startEnded(): void;
}

export class HeldDeployments {
  /** Started and running here (the sources on Kafka, every node on the in-process transport). */
  readonly running = new Map<string, FlowRunner>();
  private readonly stopping = new Map<string, Promise<void>>();
  /**
   * Claimed, their start under way. Their leases are renewed with the running ones': a start can
   * take longer than a lease (an init() loading a model, Kafka consumer groups joining), and a
   * loop that awaited it renewed no lease, wrote no heartbeat and flushed no stats until it ended.
   */
  private readonly starts = new Map<string, Promise<void>>();

  constructor(private readonly deps: HeldDeploymentsDeps) {}

  /** Whose leases this engine renews: the running and the starting. */
  leased(): string[] {
    return [...this.running.keys(), ...this.starts.keys()];
  }

  /** What a claim must skip: the leased and the stopping. */
  busy(): string[] {
    return [...this.leased(), ...this.stopping.keys()];
  }

  /** How many more may start now: each waits on Postgres and the sandboxes' thread pool, and a thousand at once would time out together. */
  room(): number {
    return CLAIMS_PER_READ - this.starts.size;
  }

  /**
   * Stops what this engine no longer holds. A deployment lost while it starts (stopped, deleted)
   * is found lost by the first read after its start, once it is in `running`, and stopped then.
   */
  stopLost(kept: ReadonlySet<string>): void {
    for (const id of this.running.keys()) if (!kept.has(id)) this.beginStop(id, "stop");
  }

  /** Starts a claimed deployment beside the loop. */
  start(claimed: ClaimedDeployment): void {
    const start = this.startDeployment(claimed)
      .catch((error: unknown) => {
        // Recording the outcome failed (Postgres away): the lease lapses and a claim starts it again.
        this.deps.log.error(`recording the start of deployment ${claimed.id}: ${errorMessage(error)}`);
      })
      .finally(() => {
        this.starts.delete(claimed.id);
        this.deps.startEnded();
      });
    this.starts.set(claimed.id, start);
  }

  /** Resolves once every start under way has ended. */
  async startsEnded(): Promise<void> {
    await Promise.all(this.starts.values());
  }

  /** Engine shutdown, once the starts ended: hands every running deployment back as pending. */
  async releaseAll(): Promise<void> {
    for (const id of [...this.running.keys()]) this.beginStop(id, "release");
    await Promise.all(this.stopping.values());
  }

  private async startDeployment(claimed: ClaimedDeployment): Promise<void> {
    const { leases, workers, runners } = this.deps;
    const log = this.logOf(claimed.id, claimed.flowId);
    try {
      // On Kafka the lease holder runs only the sources that cannot be shared; WorkerPool the rest,
      // here and on every other engine once the deployment is running.
      await workers?.ensure(claimed);
      const runner = await runners.start(claimed, workers ? "sources" : "all", log);
      this.running.set(claimed.id, runner);
      await leases.markRunning(claimed.id);
      log.info(`running flow ${claimed.flowId} version ${runner.deployment.version}`);
    } catch (error) {
      log.error(`failed to start: ${errorMessage(error)}`);
      await leases.markFailed(claimed.id, errorMessage(error));
    }
  }

  /** `stop` records the deployment as stopped; `release` (engine shutdown) hands it back as pending. */
  private beginStop(id: string, mode: "stop" | "release"): void {
    const runner = this.running.get(id);
    if (!runner || this.stopping.has(id)) return;
    this.running.delete(id);
    const { leases } = this.deps;
    const log = this.logOf(id, runner.deployment.flowId);
    const done = (async () => {
      if (mode === "stop") await leases.markStopping(id).catch(() => undefined);
      const { drained } = await runner.stop();
      await this.deps.afterStop(id);
      const error = drained
        ? null
        : "stopped before every in-flight record was processed; the rest are in the dead-letter store";
      if (mode === "stop") await leases.markStopped(id, error);
      else await leases.release(id);
      log.info(
        `${mode === "stop" ? "stopped" : "released"}${drained ? " after draining" : " (drain timed out)"}`,
      );
    })()
      .catch((error: unknown) => {
        log.error(`stopping failed: ${errorMessage(error)}`);
      })
      .finally(() => this.stopping.delete(id));
    this.stopping.set(id, done);
  }

  private logOf(id: string, flowId: string): Logger {
    return this.deps.log.child(`deployment ${id.slice(0, 8)}`, { flow: flowId, deployment: id });
  }
}
