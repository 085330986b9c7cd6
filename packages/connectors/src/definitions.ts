// The node types Weir ships, as pure definitions (zod only): safe to import in the browser,
// the API and the engine alike. Implementations are listed separately in ./registry.
import { createNodeTypeRegistry, functionNodeType } from "@weir/domain";
import type { NodeTypeDefinition, NodeTypeRegistry } from "@weir/domain";
import { generatorNodeType } from "./generator/definition";
import { httpIngestNodeType } from "./http-ingest/definition";
import { logSinkNodeType } from "./log/definition";
import { webhookSinkNodeType } from "./webhook/definition";

export { generatorNodeType, httpIngestNodeType, logSinkNodeType, webhookSinkNodeType };
export type { GeneratorConfig } from "./generator/definition";
export type { HttpIngestConfig } from "./http-ingest/definition";
export type { LogSinkConfig } from "./log/definition";
export type { WebhookSinkConfig } from "./webhook/definition";

export const builtinNodeTypes: readonly NodeTypeDefinition[] = [
  generatorNodeType,
  httpIngestNodeType,
  functionNodeType,
  logSinkNodeType,
  webhookSinkNodeType,
];

export const builtinRegistry: NodeTypeRegistry = createNodeTypeRegistry(builtinNodeTypes);
