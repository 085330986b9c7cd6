import type { Db } from "@weir/db";
import { ingestToken, installationKeys } from "@weir/db";
import type { FunctionRuntime } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { FlowRunner } from "./flow/flow-runner";
import type { FlowServices } from "./flow/services";
import { FlowRunners } from "./flow-runners";
import { HeldDeployments } from "./held-deployments";
import { IngestServer } from "./ingest-server";
import { IngestTokenCache } from "./endpoint-auth";
import { RequestTracker } from "./requests/request-tracker";
import { KafkaRequestReplies } from "./requests/kafka-replies";
import { edgeClient } from "./transport/kafka/client";
import type { KafkaClientKind } from "./transport/kafka/edge-client";
import { answerTrace } from "./tracing/trace-route";
import { createTracing } from "./tracing/tracing";
import { createMetrics } from "./metrics";
import type { Logger } from "./logger";
import { CLAIMS_PER_READ, DeploymentLeases } from "./reconciler";
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
import type { KafkaTransportSettings } from "./transport/kafka/kafka-transport";
import { TopicCollector } from "./transport/kafka/topic-collector";
import { WorkerPool } from "./worker-pool";
import { EdgePeeks } from "./peek/edge-peeks";
import { answerPeek } from "./peek/peek-route";

/** Records an edge peek keeps per watched edge, and characters of each value's JSON. */
const PEEK_CAPACITY = 20;
const PEEK_MAX_VALUE_CHARS = 2048;

/**
 * How often the engine's heartbeat row is written: a third of the API's liveness window (15 s),
 * so two can fail before the engine shows as gone.
 */
const HEARTBEAT_MS = 5_000;

/**
 * While Postgres notifications reach the engine, the reads that find deployment changes nobody
 * notifies (a lapsed lease to take over, deployments an engine handed back, a lease of ours taken)
 * run every this many polls rather than every poll: each costs in proportion to the deployments
 * running, most of what idle flows cost (see `reconcile`).
 */
const LISTENING_POLLS_PER_READ = 4;

/** How often an engine on the Kafka transport looks for topics of deleted flows. */
const TOPIC_COLLECT_MS = 10_000;

export interface EngineOptions {
  engineId: string;
  host: string;
  port: number;
  publicUrl: string | undefined;
  reconcileMs: number;
  leaseMs: number;
  queueCapacity: number;
  drainTimeoutMs: number;
  /** Undefined: the in-process transport. */
  kafka?: KafkaTransportSettings | undefined;
  /** The Kafka client library of the Kafka connectors and request replies (WEIR_KAFKA_CLIENT). */
  kafkaClient?: KafkaClientKind | undefined;
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
  private readonly peeks = new EdgePeeks({ capacity: PEEK_CAPACITY, maxValueChars: PEEK_MAX_VALUE_CHARS });
  private readonly runners: FlowRunners;
  private readonly held: HeldDeployments;
  /** Kafka transport only: this engine's share of every running deployment. */
  private readonly workers: WorkerPool | undefined;
  private readonly topics: TopicCollector | undefined;
  /** Kafka transport only: replies and cancellations of request/response flows across engines. */
  private readonly replies: KafkaRequestReplies | undefined;
  private loop: Promise<void> | undefined;
  /** When the last heartbeat was written (start() writes the first). */
  private heartbeatAt = Number.NEGATIVE_INFINITY;
  private closing = false;
  private wake: (() => void) | undefined;
  /** A wake-up that came while the loop was busy: the next sleep is skipped. */
  private wakePending = false;
  /** Postgres notifications of deployment changes reach this engine (see `setListening`). */
  private listening = false;
  /** A notified change (or none read yet) that the next reconcile must read. */
  private changed = true;
  /** When the deployments were last read in full. */
  private readAt = Number.NEGATIVE_INFINITY;
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
    // A log-sink record the database refuses in every encoding is dead-lettered, and moves in the
    // sink's accounting from written to dead-lettered.
    this.retained = new RetainedStore(db, (deployment, nodeId, record, error) => {
      const counters = this.stats.counter(deployment.id, nodeId, "in");
      counters.recordsOut--;
      counters.completed--;
      counters.deadLetter(error);
      this.deadLetters.add({ deployment, nodeId, record, error, attempts: 1 });
    });
    this.functionLogs = new FunctionLogStore(db, log.child("function-logs"));
    const artifacts = new ArtifactStore(db);
    const ingestTokens = new IngestTokenCache((flowId, nodeId) => ingestToken(db, flowId, nodeId));
    this.ingest = new IngestServer(
      log.child("http"),
      runtimes,
      (names) => resolveSecrets(db, names),
      (sha256) => artifacts.load(sha256),
      {
        internalKey: installationKeys(db).internalKey,
        ingestToken: (flowId, nodeId) => ingestTokens.get(flowId, nodeId),
      },
    );
    const metrics = createMetrics(
      options.engineId,
      () => this.stats.all(),
      () => this.peeks.watched,
    );
    this.ingest.observe({
      metrics: metrics.registry,
      notReady: async () => {
        if (this.loop === undefined) return "starting";
        if (this.closing) return "shutting down";
        try {
          await db.$queryRaw`SELECT 1`;
          return null;
        } catch (error) {
          return `the database is unreachable: ${errorMessage(error)}`;
        }
      },
    });
    this.ingest.servePeek((body) =>
      answerPeek(body, {
        peeks: this.peeks,
        specOf: (id) => this.runnerOf(id)?.spec,
        secrets: (names) => resolveSecrets(db, names),
      }),
    );
    this.ingest.serveTrace((body) => Promise.resolve(answerTrace(body, this.services.tracing?.store)));
    this.replays = new ReplayPoller(db, log.child("replay"));
    const checkpoints = new CheckpointStore(db);
    const tracker = new RequestTracker((id, deadline) => {
      this.replies?.announceCancel(id, deadline);
    });
    const kafkaClient = options.kafkaClient ?? options.kafka?.client;
    if (options.kafka) {
      const repliesLog = log.child("requests");
      this.replies = new KafkaRequestReplies(
        edgeClient(kafkaClient, options.kafka.connection, `weir-requests-${options.engineId}`, repliesLog),
        options.engineId,
        tracker,
        repliesLog,
        { chunkBytes: options.kafka.chunkBytes, maxValueBytes: options.kafka.maxValueBytes },
      );
    }
    this.services = {
      log,
      runtimes,
      ...(kafkaClient ? { kafkaClient } : {}),
      counters: (deploymentId, nodeId, rateCounts) => this.stats.counter(deploymentId, nodeId, rateCounts),
      deadLetters: this.deadLetters,
      retained: this.retained,
      checkpoints,
      ingest: this.ingest,
      tracing: createTracing(options.engineId),
      requests: {
        tracker,
        route: (flowId, nodeId, route) => {
          this.ingest.registerStream(flowId, nodeId, route);
        },
        ...(this.replies ? { remote: this.replies } : {}),
      },
      state: (flowId, nodeId) => new NodeStateStore(db, flowId, nodeId),
      secrets: (names) => resolveSecrets(db, names),
      artifact: (sha256) => artifacts.load(sha256),
      connection: (name) => resolveConnection(db, name),
      functionLogs: this.functionLogs,
      metrics: metrics.observe,
      peeks: this.peeks,
    };
    if (options.kafka)
      this.topics = new TopicCollector(
        db,
        options.kafka.connection,
        log.child("topics"),
        options.kafka.client,
      );
    this.runners = new FlowRunners({
      db,
      options,
      services: this.services,
      stats: this.stats,
      deadLetters: this.deadLetters,
      peeks: this.peeks,
      topics: this.topics,
      running: (id) => this.held.running.get(id) ?? this.workers?.running.get(id),
    });
    if (options.kafka) {
      this.workers = new WorkerPool(
        db,
        async (deployment) =>
          this.runners.start(
            deployment,
            "workers",
            this.log.child(`workers ${deployment.id.slice(0, 8)}`, {
              flow: deployment.flowId,
              deployment: deployment.id,
            }),
          ),
        (id) => this.afterStop(id),
        log,
      );
    }
    this.held = new HeldDeployments({
      leases: this.leases,
      runners: this.runners,
      workers: this.workers,
      log,
      afterStop: (id) => this.afterStop(id),
      startEnded: () => {
        this.wakeNow();
      },
    });
  }

  async start(): Promise<void> {
    const port = await this.ingest.listen(this.options.port, this.options.host);
    this.ingestUrl = this.options.publicUrl ?? `http://${this.options.host}:${port}`;
    await this.leases.heartbeat(this.ingestUrl, this.options.kafka ? "kafka" : "in-process");
    this.heartbeatAt = Date.now();
    this.log.info(
      `engine ${this.options.engineId} (${this.options.kafka ? "kafka" : "in-process"} transport) ready; ingest at ${this.ingestUrl}/ingest/<flowId>/<nodeId>`,
    );
    this.loop = this.run();
  }

  /**
   * Reconciles now instead of at the next poll (a deployment was created or its desired state
   * changed: Postgres told us). A wake-up during a reconcile runs one more right after it, since
   * that reconcile may have read the deployments before the change.
   */
  wakeNow(): void {
    this.changed = true;
    this.wakePending = true;
    this.wake?.();
  }

  /**
   * Whether a LISTEN for deployment changes is in effect: while it is, a deploy or stop arrives
   * as `wakeNow` and the full reads can be fewer; while it is not, every poll reads.
   */
  setListening(listening: boolean): void {
    this.listening = listening;
  }

  /** Stops every local deployment (draining it), hands still-wanted ones back, and exits the loop. */
  async shutdown(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.wake?.();
    await this.loop;
    // A start under way may still start its workers: the pool closes after it.
    await this.held.startsEnded();
    await Promise.all([this.held.releaseAll(), this.workers?.stopAll()]);
    await this.flushAll();
    await this.replies?.close();
    await this.leases.unregister().catch(() => undefined);
    await this.ingest.close();
    this.peeks.close();
    await this.services.tracing?.shutdown().catch((error: unknown) => {
      this.log.warn(`exporting the last spans failed: ${errorMessage(error)}`);
    });
    this.log.info("engine stopped");
  }

  private async run(): Promise<void> {
    let lastStatsFlush = 0;
    let lastTopicCollect = 0;
    while (!this.closing) {
      try {
        // The workers read what runs where when the deployments are read, not every poll.
        if (await this.reconcile()) await this.workers?.reconcile();
        if (this.topics && Date.now() - lastTopicCollect >= TOPIC_COLLECT_MS) {
          lastTopicCollect = Date.now();
          await this.topics.collect();
        }
        if (Date.now() - lastStatsFlush >= 1000) {
          await this.flushStores({ stats: true });
          lastStatsFlush = Date.now();
        } else {
          await this.flushStores({ stats: false });
        }
        await this.replays.poll(this.held.running);
      } catch (error) {
        // A database outage must not kill the engine: flows keep running and we try again.
        this.log.error(`reconcile failed: ${errorMessage(error)}`);
      }
      if (this.wakePending) {
        this.wakePending = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, this.options.reconcileMs);
      });
      this.wake = undefined;
      this.wakePending = false;
    }
  }

  /** True when it read the deployments (a change was notified, or a full read was due). */
  private async reconcile(): Promise<boolean> {
    // The API counts an engine alive while its heartbeat is younger than 15 s; one every reconcile
    // (twice a second) was an upsert through the ORM each time, a fixed cost of every engine.
    if (Date.now() - this.heartbeatAt >= HEARTBEAT_MS) {
      await this.leases.heartbeat(this.ingestUrl, this.options.kafka ? "kafka" : "in-process");
      this.heartbeatAt = Date.now();
    }
    // Between full reads the leases are still extended on time. 1,000 idle flows, engine only, two
    // runs each way: 2.95 and 3.34 % of a core reading every poll, 2.29 and 2.38 % every fourth.
    const now = Date.now();
    const readDue =
      !this.listening ||
      this.changed ||
      now - this.readAt >= this.options.reconcileMs * LISTENING_POLLS_PER_READ ||
      (this.held.leased().length > 0 && this.leases.extensionDue(now));
    if (!readDue) return false;
    this.changed = false;
    this.readAt = now;
    try {
      await this.readDeployments(now);
    } catch (error) {
      // A notified change may not have been read: the next poll reads again.
      this.changed = true;
      throw error;
    }
    return true;
  }

  /** Extends or checks the leases, stops what is no longer ours, settles and claims. */
  private async readDeployments(now: number): Promise<void> {
    this.held.stopLost(await this.leases.renew(this.held.leased(), now));
    await this.leases.settleUnowned();
    const room = this.held.room();
    if (room <= 0) return;
    const claimed = await this.leases.claim(this.held.busy(), room);
    // More may be waiting: read again right after this round, not at a later full read (1,000
    // deployed flows took over ten minutes to start, ten every fourth poll, one after another).
    if (claimed.length === CLAIMS_PER_READ) this.wakeNow();
    for (const deployment of claimed) this.held.start(deployment);
  }

  /** A runner of the deployment on this engine: running (either role) or starting. */
  private runnerOf(id: string): FlowRunner | undefined {
    return this.held.running.get(id) ?? this.workers?.running.get(id) ?? this.runners.startingOf(id);
  }

  /** A deployment's runner here has stopped: its final counters are written, then dropped if it was the last. */
  private async afterStop(id: string): Promise<void> {
    await this.flushAll(id);
    if (!this.runnerOf(id)) this.forget(id);
  }

  /** The deployment no longer runs here: its counters and edge peeks go. */
  private forget(id: string): void {
    this.stats.forget(id);
    this.peeks.forget(id);
  }

  /** Flushes every store for a final time before a deployment's counters are dropped; never throws. */
  private async flushAll(deploymentId?: string): Promise<void> {
    await this.flushStores({ stats: true, deploymentId });
  }

  /**
   * Each store is flushed on its own: one store's failure (the database away, a write it refused)
   * is logged and retried at the next flush, and never keeps the other stores from writing nor
   * fails a deployment's stop. Stats go last so they count what the other stores settled.
   */
  private async flushStores(options: { stats: boolean; deploymentId?: string | undefined }): Promise<void> {
    const stores: [string, () => Promise<void>][] = [
      ["log sink records", () => this.retained.flush()],
      ["function logs", () => this.functionLogs.flush()],
      // After the log sink's records: one it could not store is a dead letter by now.
      ["dead letters", () => this.deadLetters.flush()],
    ];
    if (options.stats) stores.push(["stats", () => this.stats.flush(options.deploymentId)]);
    for (const [what, flush] of stores) {
      await flush().catch((error: unknown) => {
        this.log.error(`writing ${what} failed (retried at the next flush): ${errorMessage(error)}`);
      });
    }
  }
}
