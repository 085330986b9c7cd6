import type { Db } from "@weir/db";
import type { FlowSpec, FunctionRuntime } from "@weir/domain";
import { errorMessage, formatProblems, validateFlow } from "@weir/domain";
import { builtinRegistry } from "@weir/connectors";
import { FlowRunner } from "./flow/flow-runner";
import type { DeploymentRef, FlowServices } from "./flow/services";
import { IngestServer } from "./ingest-server";
import type { Logger } from "./logger";
import type { ClaimedDeployment } from "./reconciler";
import { DeploymentLeases } from "./reconciler";
import { CheckpointStore } from "./stores/checkpoint-store";
import { DeadLetterStore } from "./stores/dead-letter-store";
import { RetainedStore } from "./stores/retained-store";
import { StatsReporter } from "./stores/stats-reporter";
import { FunctionLogStore } from "./stores/function-log-store";
import { NodeStateStore } from "./stores/function-state-store";
import { ArtifactStore } from "./stores/artifact-store";
import { resolveSecrets } from "./stores/secret-store";
import { resolveConnection } from "./stores/connection-store";
import { ReplayPoller } from "./replay-poller";

export interface EngineOptions {
  engineId: string;
  host: string;
  port: number;
  publicUrl: string | undefined;
  reconcileMs: number;
  leaseMs: number;
  queueCapacity: number;
  drainTimeoutMs: number;
}

/**
 * One engine process: reconciles deployments from Postgres towards their desired state, runs
 * the ones it owns, serves HTTP ingest, and flushes stats, dead letters and sink logs.
 */
export class Engine {
  private readonly leases: DeploymentLeases;
  private readonly stats: StatsReporter;
  private readonly deadLetters: DeadLetterStore;
  private readonly retained: RetainedStore;
  private readonly functionLogs: FunctionLogStore;
  private readonly replays: ReplayPoller;
  private readonly ingest: IngestServer;
  private readonly services: FlowServices;
  private readonly running = new Map<string, FlowRunner>();
  private readonly stopping = new Map<string, Promise<void>>();
  private loop: Promise<void> | undefined;
  private closing = false;
  private wake: (() => void) | undefined;
  ingestUrl = "";

  constructor(
    private readonly db: Db,
    private readonly options: EngineOptions,
    runtimes: ReadonlyMap<string, FunctionRuntime>,
    private readonly log: Logger,
  ) {
    this.leases = new DeploymentLeases(db, options.engineId, options.leaseMs);
    this.stats = new StatsReporter(db, options.engineId);
    this.deadLetters = new DeadLetterStore(db);
    this.retained = new RetainedStore(db);
    this.functionLogs = new FunctionLogStore(db);
    const artifacts = new ArtifactStore(db);
    this.ingest = new IngestServer(
      log.child("http"),
      runtimes,
      (names) => resolveSecrets(db, names),
      (sha256) => artifacts.load(sha256),
    );
    this.replays = new ReplayPoller(db, log.child("replay"));
    const checkpoints = new CheckpointStore(db);
    this.services = {
      log,
      runtimes,
      counters: (deploymentId, nodeId, rateCounts) => this.stats.counter(deploymentId, nodeId, rateCounts),
      deadLetters: this.deadLetters,
      retained: this.retained,
      checkpoints,
      ingest: this.ingest,
      state: (flowId, nodeId) => new NodeStateStore(db, flowId, nodeId),
      secrets: (names) => resolveSecrets(db, names),
      artifact: (sha256) => artifacts.load(sha256),
      connection: (name) => resolveConnection(db, name),
      functionLogs: this.functionLogs,
    };
  }

  async start(): Promise<void> {
    const port = await this.ingest.listen(this.options.port, this.options.host);
    this.ingestUrl = this.options.publicUrl ?? `http://${this.options.host}:${port}`;
    await this.leases.heartbeat(this.ingestUrl);
    this.log.info(
      `engine ${this.options.engineId} ready; ingest at ${this.ingestUrl}/ingest/<flowId>/<nodeId>`,
    );
    this.loop = this.run();
  }

  /** Stops every local deployment (draining it), hands still-wanted ones back, and exits the loop. */
  async shutdown(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.wake?.();
    await this.loop;
    for (const id of [...this.running.keys()]) this.beginStop(id, "release");
    await Promise.all(this.stopping.values());
    await this.flushAll();
    await this.leases.unregister().catch(() => undefined);
    await this.ingest.close();
    this.log.info("engine stopped");
  }

  private async run(): Promise<void> {
    let lastStatsFlush = 0;
    while (!this.closing) {
      try {
        await this.reconcile();
        if (Date.now() - lastStatsFlush >= 1000) {
          await this.stats.flush();
          lastStatsFlush = Date.now();
        }
        await this.deadLetters.flush();
        await this.retained.flush();
        await this.functionLogs.flush();
        await this.replays.poll(this.running);
      } catch (error) {
        // A database outage must not kill the engine: flows keep running and we try again.
        this.log.error(`reconcile failed: ${errorMessage(error)}`);
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, this.options.reconcileMs);
      });
    }
  }

  private async reconcile(): Promise<void> {
    await this.leases.heartbeat(this.ingestUrl);
    const mine = await this.leases.renew([...this.running.keys()]);
    for (const id of this.running.keys()) if (!mine.has(id)) this.beginStop(id, "stop");
    await this.leases.settleUnowned();
    const busy = [...this.running.keys(), ...this.stopping.keys()];
    for (const claimed of await this.leases.claim(busy)) await this.startDeployment(claimed);
  }

  private async startDeployment(claimed: ClaimedDeployment): Promise<void> {
    const log = this.log.child(`deployment ${claimed.id.slice(0, 8)}`);
    try {
      const version = await this.db.flowVersion.findUniqueOrThrow({ where: { id: claimed.flowVersionId } });
      const checked = validateFlow(version.spec, builtinRegistry);
      if (!checked.ok)
        throw new Error(`flow version ${version.version} is invalid:\n${formatProblems(checked.problems)}`);
      const ref: DeploymentRef = { ...claimed, version: version.version };
      const runner = new FlowRunner(
        ref,
        checked.flow satisfies FlowSpec,
        { ...this.services, log },
        this.options,
      );
      await runner.start();
      this.running.set(claimed.id, runner);
      await this.leases.markRunning(claimed.id);
      log.info(`running flow ${claimed.flowId} version ${version.version}`);
    } catch (error) {
      log.error(`failed to start: ${errorMessage(error)}`);
      await this.leases.markFailed(claimed.id, errorMessage(error));
    }
  }

  /** `stop` records the deployment as stopped; `release` (engine shutdown) hands it back as pending. */
  private beginStop(id: string, mode: "stop" | "release"): void {
    const runner = this.running.get(id);
    if (!runner || this.stopping.has(id)) return;
    this.running.delete(id);
    const log = this.log.child(`deployment ${id.slice(0, 8)}`);
    const done = (async () => {
      if (mode === "stop") await this.leases.markStopping(id).catch(() => undefined);
      const { drained } = await runner.stop();
      await this.flushAll(id);
      const error = drained
        ? null
        : "stopped before every in-flight record was processed; the rest are in the dead-letter store";
      if (mode === "stop") await this.leases.markStopped(id, error);
      else await this.leases.release(id);
      this.stats.forget(id);
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

  private async flushAll(deploymentId?: string): Promise<void> {
    await this.stats.flush(deploymentId);
    await this.deadLetters.flush();
    await this.retained.flush();
    await this.functionLogs.flush();
  }
}
