// The connector implementations the engine can run, listed explicitly. Each is wrapped so
// its config is parsed by its own schema at the boundary; the engine handles unknown config.
import type { NodeTypeDefinition } from "@weir/domain";
import { generatorSource } from "./generator/source";
import { httpIngestSource } from "./http-ingest/source";
import { httpRequestSource } from "./http-request/source";
import { httpResponseSink } from "./http-response/sink";
import { kafkaSink } from "./kafka-sink/sink";
import { kafkaSource } from "./kafka-source/source";
import { logSink } from "./log/sink";
import type { SinkContext, SinkInstance, SinkPlugin, SourceContext, SourcePlugin } from "./plugin";
import { webhookSink } from "./webhook/sink";

export interface RegisteredSource {
  definition: NodeTypeDefinition;
  run(config: unknown, ctx: SourceContext): Promise<void>;
}

export interface RegisteredSink {
  definition: NodeTypeDefinition;
  open(config: unknown, ctx: SinkContext): Promise<SinkInstance>;
}

function source<C>(plugin: SourcePlugin<C>): RegisteredSource {
  return {
    definition: plugin.definition,
    run: (config, ctx) => plugin.run(plugin.definition.configSchema.parse(config), ctx),
  };
}

function sink<C>(plugin: SinkPlugin<C>): RegisteredSink {
  return {
    definition: plugin.definition,
    open: (config, ctx) => plugin.open(plugin.definition.configSchema.parse(config), ctx),
  };
}

export const sourcePlugins: readonly RegisteredSource[] = [
  source(generatorSource),
  source(httpIngestSource),
  source(httpRequestSource),
  source(kafkaSource),
];
export const sinkPlugins: readonly RegisteredSink[] = [
  sink(logSink),
  sink(webhookSink),
  sink(kafkaSink),
  sink(httpResponseSink),
];

export function findSource(type: string): RegisteredSource | undefined {
  return sourcePlugins.find((plugin) => plugin.definition.type === type);
}

export function findSink(type: string): RegisteredSink | undefined {
  return sinkPlugins.find((plugin) => plugin.definition.type === type);
}
