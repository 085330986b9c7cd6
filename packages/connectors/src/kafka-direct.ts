// For the engine's Kafka transport: a Kafka source's topics read, and a Kafka sink's topic written,
// by the transport itself, so `kafka → fn → kafka` does not copy every record through an extra
// topic on each side. The config, connection and record mapping are the connectors' own.
import { CompressionTypes, Partitioners } from "kafkajs";
import type { Kafka, KafkaMessage, Message, ProducerConfig } from "kafkajs";
import type { WeirRecord } from "@weir/domain";
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
  /** A kafkajs client whose log is the node's; or build another client from `connection`. */
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
  /** A kafkajs client whose log is the node's; or build another client from `connection`. */
  kafka: Kafka;
  connection: KafkaConnection;
  clientId: string;
  idempotent: boolean;
  topic: string;
  acks: -1 | 0 | 1;
  compression: CompressionTypes;
  producer: ProducerConfig;
  encode: (record: WeirRecord) => Message;
}

export async function kafkaSinkWriter(config: unknown, ctx: ConnectorContext): Promise<KafkaSinkWriter> {
  const parsed = kafkaSinkConfigSchema.parse(config);
  const connection = await resolveKafkaConnection(parsed, ctx);
  const encodeValue = await registryEncoderFor(parsed, ctx);
  return {
    kafka: kafkaClient(connection, clientIdOf(ctx.flowId, ctx.nodeId), ctx.log),
    connection,
    clientId: clientIdOf(ctx.flowId, ctx.nodeId),
    idempotent: parsed.idempotent,
    topic: parsed.topic,
    acks: parsed.acks,
    compression: parsed.compression === "gzip" ? CompressionTypes.GZIP : CompressionTypes.None,
    producer: {
      idempotent: parsed.idempotent,
      ...(parsed.idempotent ? { maxInFlightRequests: 1 } : {}),
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 5 },
    },
    encode: (record) => encodeRecord(record, parsed, encodeValue),
  };
}
