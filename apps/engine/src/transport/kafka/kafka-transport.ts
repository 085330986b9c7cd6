import type { Kafka, Message } from "kafkajs";
import type { FlowEdge, FlowNode, FlowSpec, WeirRecord } from "@weir/domain";
import { DEFAULT_KAFKA_CLIENT, kafkaSinkWriter, kafkaSourceReader } from "@weir/connectors";
import type { ConnectorContext, KafkaConnection } from "@weir/connectors";
import type { ConnectionResolver } from "../../flow/connections";
import type { DeploymentRef } from "../../flow/services";
import type { Logger } from "../../logger";
import type { NodeCounters } from "../../stats";
import type { EdgeTransport, NodeInput, NodeOutput } from "../edge-transport";
import { edgeClient, transportClient } from "./client";
import type { EdgeClient, KafkaClientKind } from "./edge-client";
import { DEFAULT_MAX_VALUE_BYTES, KafkaNodeInput } from "./kafka-input";
import type { KafkaInputOptions } from "./kafka-input";
import { KafkaNodeOutput } from "./kafka-output";
import type { OutputTarget } from "./kafka-output";
import { directEdges } from "./direct-edges";
import { edgeTopic, nodeGroup, stateTopic } from "./names";
import { DEFAULT_CHUNK_BYTES, EDGE_TOPIC_CONFIGS, encodeRecord } from "./record-codec";
import { EDGE_PRODUCER, TopicWriter } from "./topic-writer";
import { TransactionalNodeInput } from "./transactional-input";
import { TransactionalNodeOutput } from "./transactional-output";
import type { TransactionalTarget } from "./transactional-output";
import { exactlyOnceRefusal, sameCluster } from "./exactly-once";

export interface KafkaTransportSettings {
  /** Brokers, TLS and SASL (WEIR_KAFKA_BROKERS, or the profile WEIR_KAFKA_CONNECTION names). */
  connection: KafkaConnection;
  /** Partitions of an edge's topic unless the edge says otherwise. */
  partitions: number;
  /** Replicas of each edge topic; undefined takes the broker's default. */
  replicationFactor: number | undefined;
  sessionTimeoutMs: number;
  /** The client library (WEIR_KAFKA_CLIENT); DEFAULT_KAFKA_CLIENT unless set. */
  client?: KafkaClientKind | undefined;
  /** Value bytes per edge message (WEIR_KAFKA_CHUNK_BYTES): a larger value goes as ordered chunks. */
  chunkBytes?: number | undefined;
  /** The most bytes of split values a reader holds per partition (WEIR_KAFKA_MAX_VALUE_BYTES). */
  maxValueBytes?: number | undefined;
}

export interface KafkaTransportHooks {
  log: Logger;
  counters(nodeId: string, rateCounts: "in" | "out"): NodeCounters;
  /** Resolves once the dead letter is stored. */
  deadLetter(nodeId: string, record: WeirRecord, error: string): Promise<void>;
  /** The connection profiles a Kafka source or sink node may name. */
  connection(node: FlowNode): Promise<ConnectionResolver>;
}

/**
 * Each edge of the flow is a topic (`weir.<flowId>.v<version>.<edgeId>`) and each non-source
 * node one consumer group, whose members are that node's instances on every engine. An edge
 * out of a Kafka source or into a Kafka sink is that connector's own topic (see direct-edges.ts).
 */
export class KafkaTransport implements EdgeTransport {
  private readonly client: EdgeClient;
  private readonly stopping = new AbortController();
  private readonly inputs: (KafkaNodeInput | TransactionalNodeInput)[] = [];
  private readonly writers: TopicWriter[] = [];
  private readonly direct: ReturnType<typeof directEdges>;
  private replayWriter: TopicWriter | undefined;
  /** Exactly-once inputs, by the cluster they read (their outputs must be on it too). */
  private readonly clusterOf = new WeakMap<NodeInput, KafkaConnection>();

  constructor(
    private readonly deployment: DeploymentRef,
    private readonly spec: FlowSpec,
    private readonly settings: KafkaTransportSettings,
    private readonly hooks: KafkaTransportHooks,
  ) {
    this.client = edgeClient(
      this.clientKind,
      settings.connection,
      `weir-${deployment.flowId}-v${String(deployment.version)}`,
      hooks.log.child("kafka"),
    );
    this.direct = directEdges(spec);
  }

  private get clientKind(): KafkaClientKind {
    return this.settings.client ?? DEFAULT_KAFKA_CLIENT;
  }

  private get chunkBytes(): number {
    return this.settings.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  }

  private readonly encodeEdge = (record: WeirRecord): Message[] => encodeRecord(record, this.chunkBytes);

  /** The Kafka sources and sinks whose topic is their edge: the transport reads and writes them. */
  absorbs(node: FlowNode): boolean {
    return this.direct.absorbed.has(node.id);
  }

  /** Exactly-once: each function instance's outputs commit with its own input (flow-runner.ts). */
  get outputPerInstance(): boolean {
    return this.spec.delivery === "exactly-once";
  }

  /** Creates the edge topics; another engine creating them at the same time is fine. */
  async prepare(): Promise<void> {
    const refusal = exactlyOnceRefusal(this.spec, this.clientKind);
    if (refusal) throw new Error(refusal);
    const edges = this.topicEdges();
    if (edges.length === 0) return;
    const admin = await this.client.admin();
    try {
      // Only the missing ones: kafkajs logs an error for every topic that already exists.
      const existing = new Set(await admin.listTopics());
      const missing = edges.filter((edge) => !existing.has(edgeTopic(this.deployment, edge.id)));
      if (missing.length === 0) return;
      await admin.createTopics(
        missing.map((edge) => ({
          topic: edgeTopic(this.deployment, edge.id),
          partitions: edge.partitions ?? this.settings.partitions,
          replicationFactor: this.settings.replicationFactor,
          configs: EDGE_TOPIC_CONFIGS,
        })),
      );
    } finally {
      await admin.disconnect();
    }
  }

  /** The state changelogs of exactly-once function nodes (made by their inputs, on their input's cluster). */
  stateTopics(): string[] {
    if (this.spec.delivery !== "exactly-once") return [];
    return this.spec.nodes
      .filter((node) => node.kind === "function")
      .map((node) => stateTopic(this.deployment, node.id));
  }

  /** The edges that have a topic of their own. */
  topicEdges(): FlowEdge[] {
    return this.spec.edges.filter(
      (edge) => !this.direct.sources.has(edge.id) && !this.direct.sinks.has(edge.id),
    );
  }

  async inputOf(node: FlowNode, instance: number): Promise<NodeInput> {
    const counters = this.hooks.counters(node.id, "in");
    const common = {
      sessionTimeoutMs: this.settings.sessionTimeoutMs,
      lag: counters.lagOf(instance),
      log: this.hooks.log.child(node.id),
    };
    const incoming = this.spec.edges.filter((edge) => edge.to.node === node.id);
    const source = incoming.length === 1 && incoming[0] ? this.direct.sources.get(incoming[0].id) : undefined;
    let options: KafkaInputOptions;
    let client = this.client;
    let cluster = { kafka: undefined as Kafka | undefined, connection: this.settings.connection };
    if (source) {
      // Read the Kafka source's topics as the source would: its group, its start, its decoding.
      const reader = await kafkaSourceReader(source.config, await this.connectorContext(source));
      const sourceCounters = this.hooks.counters(source.id, "out");
      cluster = { kafka: reader.kafka, connection: reader.connection };
      client = reader.client;
      options = {
        ...common,
        groupId: reader.groupId,
        topics: reader.topics,
        fromBeginning: reader.fromBeginning,
        concurrency: 8,
        decode: reader.decode,
        ...(reader.prepare ? { prepare: reader.prepare } : {}),
        handedOn: (count) => {
          sourceCounters.recordsOut += count;
        },
        undecodable: (record, error) => this.hooks.deadLetter(source.id, record, error),
      };
    } else {
      const partitions = incoming.reduce(
        (sum, edge) => sum + (edge.partitions ?? this.settings.partitions),
        0,
      );
      options = {
        ...common,
        groupId: nodeGroup(this.deployment, node.id),
        topics: incoming.map((edge) => edgeTopic(this.deployment, edge.id)),
        // A new group starts at the beginning: upstream writes before every group has joined.
        fromBeginning: true,
        concurrency: Math.max(1, Math.min(partitions, 16)),
        maxValueBytes: this.settings.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES,
        undecodable: (record, error) => this.hooks.deadLetter(node.id, record, error),
      };
    }
    if (this.outputPerInstance && node.kind === "function") {
      const input = new TransactionalNodeInput({
        ...options,
        kafka:
          cluster.kafka ??
          transportClient(
            this.settings.connection,
            `weir-${this.deployment.flowId}-v${String(this.deployment.version)}`,
            this.hooks.log.child("kafka"),
          ),
        transactionalIdPrefix: nodeGroup(this.deployment, node.id),
        stateTopic: stateTopic(this.deployment, node.id),
        ...(this.settings.replicationFactor ? { replicationFactor: this.settings.replicationFactor } : {}),
      });
      this.inputs.push(input);
      this.clusterOf.set(input, cluster.connection);
      await input.start();
      return input;
    }
    const input = new KafkaNodeInput(client, options);
    this.inputs.push(input);
    await input.start();
    return input;
  }

  async outputOf(node: FlowNode, input?: NodeInput): Promise<NodeOutput> {
    const cluster = input && this.clusterOf.get(input);
    if (input instanceof TransactionalNodeInput && cluster) {
      const targetsByPort = new Map<string, TransactionalTarget[]>();
      for (const edge of this.spec.edges.filter((e) => e.from.node === node.id)) {
        const list = targetsByPort.get(edge.from.port) ?? [];
        list.push(await this.transactionalTargetOf(node, edge, cluster));
        targetsByPort.set(edge.from.port, list);
      }
      return new TransactionalNodeOutput(input, targetsByPort);
    }
    const edgeWriter = this.writer(node.id);
    const targetsByPort = new Map<string, OutputTarget[]>();
    for (const edge of this.spec.edges.filter((e) => e.from.node === node.id)) {
      const list = targetsByPort.get(edge.from.port) ?? [];
      list.push(await this.targetOf(edge, edgeWriter));
      targetsByPort.set(edge.from.port, list);
    }
    return new KafkaNodeOutput(targetsByPort);
  }

  /** A node reading its Kafka source's topic directly has no edge topic to replay into. */
  canReplay(nodeId: string): boolean {
    const edge = this.spec.edges.find((e) => e.to.node === nodeId);
    return edge !== undefined && !this.direct.sources.has(edge.id);
  }

  /** Replayed records go onto the node's first input topic, so any instance of it may take them. */
  async replay(nodeId: string, records: readonly WeirRecord[]): Promise<void> {
    const edge = this.spec.edges.find((e) => e.to.node === nodeId);
    if (!edge) throw new Error(`flow has no node '${nodeId}' that accepts records`);
    if (this.direct.sources.has(edge.id)) {
      throw new Error(`node '${nodeId}' reads its Kafka source's topic; replay into it is not supported`);
    }
    this.replayWriter ??= this.writer("replay");
    const messages = records.flatMap(this.encodeEdge);
    await this.replayWriter.write([{ topic: edgeTopic(this.deployment, edge.id), messages }]);
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
    const results = await Promise.allSettled([
      ...this.inputs.map((input) => input.close()),
      ...this.writers.map((writer) => writer.disconnect()),
    ]);
    for (const result of results)
      if (result.status === "rejected")
        this.hooks.log.warn(`closing Kafka clients: ${String(result.reason)}`);
  }

  /** An edge's topic or Kafka sink, written in the input's transactions: on the input's cluster. */
  private async transactionalTargetOf(
    node: FlowNode,
    edge: FlowEdge,
    cluster: KafkaConnection,
  ): Promise<TransactionalTarget> {
    const sink = this.direct.sinks.get(edge.id);
    const edgeCluster = sink ? undefined : this.settings.connection;
    if (edgeCluster && !sameCluster(edgeCluster, cluster))
      throw new Error(
        `node '${node.id}': exactly-once needs its input and outputs on one Kafka cluster (one transaction), but it reads a Kafka source on another cluster than the transport's`,
      );
    // Not cut into chunks: the exactly-once input does not reassemble them. A value over the
    // chunk size is refused here, before anything is staged, so its batch is dead-lettered with the
    // reason instead of failing its transaction at the broker again and again.
    if (!sink)
      return {
        topic: edgeTopic(this.deployment, edge.id),
        encode: (record) => {
          const messages = encodeRecord(record, Number.MAX_SAFE_INTEGER);
          const size = messages[0]?.value?.length ?? 0;
          if (size > this.chunkBytes)
            throw new Error(
              `a value of ${String(size)} bytes on edge '${edge.id}' is over WEIR_KAFKA_CHUNK_BYTES (${String(this.chunkBytes)}): exactly-once edges carry each value in one message`,
            );
          return messages;
        },
      };
    const target = await kafkaSinkWriter(sink.config, await this.connectorContext(sink));
    if (!sameCluster(target.connection, cluster))
      throw new Error(
        `node '${node.id}': exactly-once needs its input and outputs on one Kafka cluster (one transaction), but Kafka sink '${sink.id}' writes to another cluster`,
      );
    const counters = this.hooks.counters(sink.id, "in");
    return {
      topic: target.topic,
      encode: (record) => [target.encode(record)],
      delivered: (count) => {
        counters.recordsIn += count;
        counters.recordsOut += count;
        counters.completed += count;
      },
    };
  }

  private async targetOf(edge: FlowEdge, edgeWriter: TopicWriter): Promise<OutputTarget> {
    const sink = this.direct.sinks.get(edge.id);
    if (!sink)
      return { writer: edgeWriter, topic: edgeTopic(this.deployment, edge.id), encode: this.encodeEdge };
    // Write the Kafka sink's topic as the sink would: its connection, key, encoding, acks.
    const target = await kafkaSinkWriter(sink.config, await this.connectorContext(sink));
    const counters = this.hooks.counters(sink.id, "in");
    const writer = new TopicWriter(
      { client: target.client, producer: target.producer },
      this.stopping.signal,
      this.hooks.log.child(sink.id),
    );
    this.writers.push(writer);
    return {
      writer,
      topic: target.topic,
      encode: (record) => [target.encode(record)],
      delivered: (count) => {
        counters.recordsIn += count;
        counters.recordsOut += count;
        counters.completed += count;
      },
    };
  }

  private writer(scope: string): TopicWriter {
    const writer = new TopicWriter(
      { client: this.client, producer: EDGE_PRODUCER, maxRequestBytes: this.chunkBytes },
      this.stopping.signal,
      this.hooks.log.child(scope),
    );
    this.writers.push(writer);
    return writer;
  }

  private async connectorContext(node: FlowNode): Promise<ConnectorContext> {
    return {
      flowId: this.deployment.flowId,
      nodeId: node.id,
      signal: this.stopping.signal,
      log: this.hooks.log.child(node.id),
      connection: await this.hooks.connection(node),
      kafkaClient: this.clientKind,
    };
  }
}
