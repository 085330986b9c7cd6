// Builds and starts the runner of a deployment on this engine: the lease holder's (its sources on
// the Kafka transport, every node on the in-process one) and WorkerPool's (the workers on Kafka).
// It reads and validates the flow version, and gives the runner its edge transport.
import type { Db } from "@weir/db";
import type { FlowSpec } from "@weir/domain";
import { formatProblems, validateFlow } from "@weir/domain";
import { builtinRegistry } from "@weir/connectors";
import { connectionsOf } from "./flow/connections";
import { FlowRunner } from "./flow/flow-runner";
import type { FlowRunnerOptions, RunnerRole } from "./flow/flow-runner";
import type { DeploymentRef, FlowServices } from "./flow/services";
import type { Logger } from "./logger";
import type { EdgePeeks } from "./peek/edge-peeks";
import type { ClaimedDeployment } from "./reconciler";
import type { DeadLetterStore } from "./stores/dead-letter-store";
import type { StatsReporter } from "./stores/stats-reporter";
import type { EdgeTransport } from "./transport/edge-transport";
import { InProcessTransport } from "./transport/in-process";
import { KafkaTransport } from "./transport/kafka/kafka-transport";
import type { KafkaTransportSettings } from "./transport/kafka/kafka-transport";
import { edgeTopic } from "./transport/kafka/names";
import type { TopicCollector } from "./transport/kafka/topic-collector";

export interface FlowRunnersOptions extends FlowRunnerOptions {
  queueCapacity: number;
  /** Undefined: the in-process transport. */
  kafka?: KafkaTransportSettings | undefined;
}

export interface FlowRunnersDeps {
  db: Db;
  options: FlowRunnersOptions;
  services: FlowServices;
  stats: StatsReporter;
  deadLetters: DeadLetterStore;
  peeks: EdgePeeks;
  /** Kafka transport only: records the topics a deployment makes, for when its flow is deleted. */
  topics: TopicCollector | undefined;
  /** A runner of the deployment that runs here (either role), once started. */
  running(id: string): FlowRunner | undefined;
}

export class FlowRunners {
  /**
   * Runners whose nodes are starting. Their nodes take records before start() returns (a Kafka
   * worker consumes once its group is joined, while the next node still joins its own), so a
   * peek must be answered for them too, or what they take until then is never sampled.
   */
  private readonly starting = new Set<FlowRunner>();

  constructor(private readonly deps: FlowRunnersDeps) {}

  /** A runner of the deployment whose start is under way here. */
  startingOf(id: string): FlowRunner | undefined {
    for (const runner of this.starting) if (runner.deployment.id === id) return runner;
    return undefined;
  }

  async start(claimed: ClaimedDeployment, role: RunnerRole, log: Logger): Promise<FlowRunner> {
    const { db, services, options, peeks } = this.deps;
    const version = await db.flowVersion.findUniqueOrThrow({ where: { id: claimed.flowVersionId } });
    const checked = validateFlow(version.spec, builtinRegistry);
    if (!checked.ok)
      throw new Error(`flow version ${version.version} is invalid:\n${formatProblems(checked.problems)}`);
    const spec: FlowSpec = checked.flow;
    const ref: DeploymentRef = { ...claimed, version: version.version };
    const runner = new FlowRunner(
      ref,
      spec,
      { ...services, log },
      options,
      await this.transportOf(ref, spec, log),
      role,
    );
    this.starting.add(runner);
    try {
      await runner.start();
    } catch (error) {
      this.starting.delete(runner);
      // A watch taken while it started would keep the taps of a deployment that runs nowhere here.
      if (!this.deps.running(claimed.id) && !this.startingOf(claimed.id)) peeks.forget(claimed.id);
      throw error;
    }
    this.starting.delete(runner);
    return runner;
  }

  private async transportOf(ref: DeploymentRef, spec: FlowSpec, log: Logger): Promise<EdgeTransport> {
    const { options, stats, deadLetters, services } = this.deps;
    const kafka = options.kafka;
    if (!kafka) return new InProcessTransport(spec, options.queueCapacity);
    const transport = new KafkaTransport(ref, spec, kafka, {
      log,
      counters: (nodeId, rateCounts) => stats.counter(ref.id, nodeId, rateCounts),
      deadLetter: (nodeId, record, error) => {
        const counters = stats.counter(ref.id, nodeId, "in");
        // A record a node's input could not decode came in (its upstream counted it out) and went to the dead letters.
        if (spec.nodes.some((node) => node.id === nodeId && node.kind !== "source")) counters.recordsIn++;
        counters.deadLetter(error);
        deadLetters.add({ deployment: ref, nodeId, record, error, attempts: 1 });
        return deadLetters.persisted();
      },
      connection: (node) => connectionsOf(node, services),
    });
    // Recorded before they exist, so a flow deleted right after its topics appear loses them too.
    await this.deps.topics?.record(ref.flowId, [
      ...transport.topicEdges().map((edge) => edgeTopic(ref, edge.id)),
      ...transport.stateTopics(),
    ]);
    return transport;
  }
}
