// The node types Weir ships, as pure definitions (zod only): safe to import in the browser,
// the API and the engine alike. Implementations are listed separately in ./registry.
import { createNodeTypeRegistry, functionNodeType } from "@weir/domain";
import type { NodeTypeDefinition, NodeTypeRegistry } from "@weir/domain";
import { generatorNodeType } from "./generator/definition";
import { httpIngestNodeType } from "./http-ingest/definition";
import { httpRequestNodeType } from "./http-request/definition";
import { httpResponseNodeType } from "./http-response/definition";
import { kafkaSinkNodeType } from "./kafka-sink/definition";
import { kafkaSourceNodeType } from "./kafka-source/definition";
import { logSinkNodeType } from "./log/definition";
import { webhookSinkNodeType } from "./webhook/definition";

export {
  generatorNodeType,
  httpIngestNodeType,
  httpRequestNodeType,
  httpResponseNodeType,
  kafkaSinkNodeType,
  kafkaSourceNodeType,
  logSinkNodeType,
  webhookSinkNodeType,
};
export type { GeneratorConfig } from "./generator/definition";
export type { HttpIngestConfig } from "./http-ingest/definition";
export type { HttpRequestConfig } from "./http-request/definition";
export type { HttpResponseConfig } from "./http-response/definition";
export type { KafkaSinkConfig } from "./kafka-sink/definition";
export type { KafkaSourceConfig } from "./kafka-source/definition";
export { kafkaSourceConfigSchema, typingSubjectOf } from "./kafka-source/definition";
export { kafkaSinkConfigSchema } from "./kafka-sink/definition";
export type { LogSinkConfig } from "./log/definition";
export type { WebhookSinkConfig } from "./webhook/definition";

export const builtinNodeTypes: readonly NodeTypeDefinition[] = [
  generatorNodeType,
  httpIngestNodeType,
  httpRequestNodeType,
  kafkaSourceNodeType,
  functionNodeType,
  logSinkNodeType,
  webhookSinkNodeType,
  kafkaSinkNodeType,
  httpResponseNodeType,
];

export const builtinRegistry: NodeTypeRegistry = createNodeTypeRegistry(builtinNodeTypes);
export * from "./connection-kinds";
