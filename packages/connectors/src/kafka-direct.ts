// For the engine's Kafka transport: a Kafka source's topics read, and a Kafka sink's topic written,
// by the transport itself, so `kafka → fn → kafka` does not copy every record through an extra
// topic on each side. The config, connection and record mapping are the connectors' own.
import type { Kafka, KafkaMessage, Message } from "kafkajs";
import type { WeirRecord } from "@weir/domain";
import { kafkaEdgeClient } from "./kafka-client/choose";
import type { EdgeClient, ProducerSettings } from "./kafka-client/edge-client";
import type { KafkaConnection } from "./kafka-common/schema";
import { clientIdOf, kafkaClient } from "./kafka-common/client";
import { resolveKafkaConnection } from "./kafka-common/connection";
import type { ConnectorContext } from "./plugin";
import { encodeRecord } from "./kafka-sink/encode";
import { kafkaSinkConfigSchema } from "./kafka-sink/definition";
import { decodeMessage } from "./kafka-source/decode";
import type { Decoded } from "./kafka-source/decode";
import { kafkaSourceConfigSchema } from "./kafka-source/definition";
import { defaultGroupId } from "./kafka-source/source";
import { registryDecoderFor, registryEncoderFor } from "./schema-registry/resolve";

export interface KafkaSourceReader {
  /** A client on the engine's client library (ctx.kafkaClient) whose log is the node's. */
  client: EdgeClient;
  /** A kafkajs client on the same connection: exactly-once inputs run their transactions on it. */
  kafka: Kafka;
  connection: KafkaConnection;
  clientId: string;
  groupId: string;
  topics: readonly string[];
  fromBeginning: boolean;
  decode: (message: KafkaMessage, where: { topic: string; partition: number }) => Decoded;
  /**
   * valueFormat "registry": fetches the schemas these messages name; await it before `decode`.
   * It throws when the registry does not answer (retry the batch; dead-letter nothing).
   */
  prepare?: (messages: readonly KafkaMessage[]) => Promise<void>;
}

export async function kafkaSourceReader(config: unknown, ctx: ConnectorContext): Promise<KafkaSourceReader> {
  const parsed = kafkaSourceConfigSchema.parse(config);
  const connection = await resolveKafkaConnection(parsed, ctx);
  const registry = await registryDecoderFor(parsed, ctx);
  return {
    client: kafkaEdgeClient(ctx.kafkaClient, connection, clientIdOf(ctx.flowId, ctx.nodeId), ctx.log),
    kafka: kafkaClient(connection, clientIdOf(ctx.flowId, ctx.nodeId), ctx.log),
    connection,
    clientId: clientIdOf(ctx.flowId, ctx.nodeId),
    groupId: parsed.groupId ?? defaultGroupId(ctx),
    topics: parsed.topics,
    fromBeginning: parsed.fromBeginning === "earliest",
    decode: (message, where) => decodeMessage(message, parsed.valueFormat, where, registry),
    ...(registry ? { prepare: (messages) => registry.prepare(messages.map((m) => m.value)) } : {}),
  };
}

export interface KafkaSinkWriter {
  /** A client on the engine's client library (ctx.kafkaClient) whose log is the node's. */
  client: EdgeClient;
  connection: KafkaConnection;
  clientId: string;
  topic: string;
  /** The sink's idempotence, acks and compression. */
  producer: ProducerSettings;
  encode: (record: WeirRecord) => Message;
}

export async function kafkaSinkWriter(config: unknown, ctx: ConnectorContext): Promise<KafkaSinkWriter> {
  const parsed = kafkaSinkConfigSchema.parse(config);
  const connection = await resolveKafkaConnection(parsed, ctx);
  const encodeValue = await registryEncoderFor(parsed, ctx);
  return {
    client: kafkaEdgeClient(ctx.kafkaClient, connection, clientIdOf(ctx.flowId, ctx.nodeId), ctx.log),
    connection,
    clientId: clientIdOf(ctx.flowId, ctx.nodeId),
    topic: parsed.topic,
    producer: { idempotent: parsed.idempotent, acks: parsed.acks, compression: parsed.compression },
    encode: (record) => encodeRecord(record, parsed, encodeValue),
  };
}
