import type { Admin, Kafka } from "kafkajs";
import type { FlowNode, FlowSpec, WeirRecord } from "@weir/domain";
import type { DeploymentRef } from "../../flow/services";
import type { Logger } from "../../logger";
import type { EdgeTransport, NodeInput, NodeOutput } from "../edge-transport";
import { transportClient } from "./client";
import { KafkaNodeInput } from "./kafka-input";
import { KafkaNodeOutput } from "./kafka-output";
import { edgeTopic, nodeGroup } from "./names";

export interface KafkaTransportSettings {
  brokers: readonly string[];
  /** Partitions of an edge's topic unless the edge says otherwise. */
  partitions: number;
  /** Replicas of each edge topic; undefined takes the broker's default. */
  replicationFactor: number | undefined;
  sessionTimeoutMs: number;
}

export interface KafkaTransportHooks {
  log: Logger;
  /** The map one instance of a node reports its per-partition lag in. */
  lagOf(nodeId: string, instance: number): Map<string, number>;
  deadLetter(nodeId: string, record: WeirRecord, error: string): void;
}

/**
 * Each edge of the flow is a topic (`weir.<flowId>.v<version>.<edgeId>`) and each non-source
 * node one consumer group, whose members are that node's instances on every engine.
 */
export class KafkaTransport implements EdgeTransport {
  private readonly kafka: Kafka;
  private readonly stopping = new AbortController();
  private readonly inputs: KafkaNodeInput[] = [];
  private readonly outputs: KafkaNodeOutput[] = [];
  private replayOutput: KafkaNodeOutput | undefined;

  constructor(
    private readonly deployment: DeploymentRef,
    private readonly spec: FlowSpec,
    private readonly settings: KafkaTransportSettings,
    private readonly hooks: KafkaTransportHooks,
  ) {
    this.kafka = transportClient(
      settings.brokers,
      `weir-${deployment.flowId}-v${String(deployment.version)}`,
      hooks.log.child("kafka"),
    );
  }

  /** Creates the edge topics; another engine creating them at the same time is fine. */
  async prepare(): Promise<void> {
    if (this.spec.edges.length === 0) return;
    const admin: Admin = this.kafka.admin();
    await admin.connect();
    try {
      // Only the missing ones: kafkajs logs an error for every topic that already exists.
      const existing = new Set(await admin.listTopics());
      const missing = this.spec.edges.filter((edge) => !existing.has(edgeTopic(this.deployment, edge.id)));
      if (missing.length === 0) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((edge) => ({
          topic: edgeTopic(this.deployment, edge.id),
          numPartitions: edge.partitions ?? this.settings.partitions,
          ...(this.settings.replicationFactor === undefined
            ? {}
            : { replicationFactor: this.settings.replicationFactor }),
        })),
      });
    } finally {
      await admin.disconnect();
    }
  }

  async inputOf(node: FlowNode, instance: number): Promise<NodeInput> {
    const incoming = this.spec.edges.filter((edge) => edge.to.node === node.id);
    const partitions = incoming.reduce((sum, edge) => sum + (edge.partitions ?? this.settings.partitions), 0);
    const input = new KafkaNodeInput(this.kafka, {
      groupId: nodeGroup(this.deployment, node.id),
      topics: incoming.map((edge) => edgeTopic(this.deployment, edge.id)),
      sessionTimeoutMs: this.settings.sessionTimeoutMs,
      concurrency: Math.max(1, Math.min(partitions, 16)),
      lag: this.hooks.lagOf(node.id, instance),
      undecodable: (record, error) => {
        this.hooks.deadLetter(node.id, record, error);
      },
      log: this.hooks.log.child(node.id),
    });
    this.inputs.push(input);
    await input.start();
    return input;
  }

  outputOf(node: FlowNode): Promise<NodeOutput> {
    const output = this.outputFor(
      this.spec.edges.filter((edge) => edge.from.node === node.id),
      node.id,
    );
    this.outputs.push(output);
    return Promise.resolve(output);
  }

  /** Replayed records go onto the node's first input topic, so any instance of it may take them. */
  async replay(nodeId: string, records: readonly WeirRecord[]): Promise<void> {
    const edge = this.spec.edges.find((e) => e.to.node === nodeId);
    if (!edge) throw new Error(`flow has no node '${nodeId}' that accepts records`);
    this.replayOutput ??= this.outputFor([], "replay");
    await this.replayOutput.sendTo([edgeTopic(this.deployment, edge.id)], records);
  }

  stopInputs(): void {
    this.stopping.abort();
    for (const input of this.inputs) input.stop();
  }

  /** Nothing is stranded: what was not committed stays in Kafka for the next run. */
  stranded(): { nodeId: string; record: WeirRecord }[] {
    return [];
  }

  async close(): Promise<void> {
    this.stopping.abort();
    const all = [
      ...this.inputs.map((input) => input.close()),
      ...[...this.outputs, ...(this.replayOutput ? [this.replayOutput] : [])].map((output) =>
        output.disconnect(),
      ),
    ];
    const results = await Promise.allSettled(all);
    for (const result of results)
      if (result.status === "rejected")
        this.hooks.log.warn(`closing Kafka clients: ${String(result.reason)}`);
  }

  private outputFor(edges: FlowSpec["edges"], scope: string): KafkaNodeOutput {
    const byPort = new Map<string, string[]>();
    for (const edge of edges) {
      const list = byPort.get(edge.from.port) ?? [];
      list.push(edgeTopic(this.deployment, edge.id));
      byPort.set(edge.from.port, list);
    }
    return new KafkaNodeOutput(this.kafka, byPort, this.stopping.signal, this.hooks.log.child(scope));
  }
}
