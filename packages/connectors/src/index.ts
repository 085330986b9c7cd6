export * from "./definitions";
export * from "./plugin";
export { sourcePlugins, sinkPlugins, findSource, findSink } from "./registry";
export type { RegisteredSource, RegisteredSink } from "./registry";
export { recordsFromBody } from "./http-ingest/parse";
// Request/response flows: what an engine adds to source and sink contexts to answer requests.
export type {
  RequestHandler,
  RequestServeOptions,
  RequestSourceContext,
  ResponseSinkContext,
} from "./http-request/capability";
export { REQUEST_ID_HEADER, STREAM_OFFSET_HEADER } from "./http-request/capability";
// Byte streams: a request body read as it arrives (the engine makes it, a source pulls it).
export { ByteBody, isByteBody } from "./byte-stream/byte-body";
export { rechunk } from "./byte-stream/rechunk";
export { renderTemplate } from "./generator/template";
// The outbound policy for URLs users configure (webhooks); the engine configures it from its env.
export * from "./net-policy";
// The engine's Kafka transport reads Kafka sources and writes Kafka sinks itself (see kafka-direct.ts).
export { kafkaSinkWriter, kafkaSourceReader } from "./kafka-direct";
export type { KafkaSinkWriter, KafkaSourceReader } from "./kafka-direct";
// "Test connection" on a Kafka connection profile (the API's connections.test).
export { classifyKafkaError, probeKafka } from "./kafka-common/probe";
export type { KafkaProbeFailure, KafkaProbeResult } from "./kafka-common/probe";
// "Test connection" on a schema-registry profile: lists its subjects.
export { classifyRegistryError, probeRegistry } from "./schema-registry/probe";
export type { RegistryProbeResult } from "./schema-registry/probe";
export { probeConnection } from "./probe-connection";
export type { ConnectionProbeResult } from "./probe-connection";
// The engine's Kafka transport connects through a Kafka connection profile too (WEIR_KAFKA_CONNECTION).
export { kafkaConnectionSchema } from "./kafka-common/schema";
export type { KafkaConnection } from "./kafka-common/schema";
export { connectionOptions } from "./kafka-common/client";
export { createTopicsWithLeaders } from "./kafka-common/topics";
// One Kafka client interface on kafkajs or @platformatic/kafka, chosen in one place (choose.ts).
export { DEFAULT_KAFKA_CLIENT, kafkaEdgeClient } from "./kafka-client/choose";
export { KAFKA_CLIENT_KINDS } from "./kafka-client/edge-client";
export type * from "./kafka-client/edge-client";
// One Kafka reader (commit after ack, fetch-ahead window) for the transport and the kafka-source.
export {
  KafkaReader,
  READER_CHUNK,
  READER_MAX_UNCOMMITTED,
  READER_MAX_UNCOMMITTED_BYTES,
} from "./kafka-reader/reader";
export type { Hold, ReaderItem, ReaderLayer, ReaderOptions, UnitAt } from "./kafka-reader/reader";
export type { CommitUnit, WindowBounds } from "./kafka-reader/commit-window";
export { platformaticConnectionOptions } from "./kafka-client/platformatic-client";
