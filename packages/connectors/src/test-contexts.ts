// In-memory connector contexts for unit tests; integration tests use the real engine.
import { randomUUID } from "node:crypto";
import type { JsonValue, WeirRecord } from "@weir/domain";
import { KAFKA_CLIENT_KINDS } from "./kafka-client/edge-client";
import type { KafkaClientKind } from "./kafka-client/edge-client";
import type { IngestHandler, SinkContext, SourceContext } from "./plugin";

/** The Kafka connectors run on the client WEIR_KAFKA_CLIENT names, as in the engine (default otherwise). */
const kafkaClient = KAFKA_CLIENT_KINDS.find((kind) => kind === process.env.WEIR_KAFKA_CLIENT);
const kafkaClientOption: { kafkaClient?: KafkaClientKind } = kafkaClient ? { kafkaClient } : {};

const silentLog = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export interface FakeSourceContext extends SourceContext {
  emitted: WeirRecord[];
  saved: JsonValue[];
  ingest: IngestHandler | undefined;
  abort(): void;
}

export function fakeSourceContext(checkpoint: JsonValue | null = null): FakeSourceContext {
  const controller = new AbortController();
  const ctx: FakeSourceContext = {
    // A flow of its own per context: a Kafka source's default group is named after it, and test
    // files running at once on one broker must not join (and rebalance) each other's group.
    flowId: `flow-${randomUUID()}`,
    nodeId: "node",
    signal: controller.signal,
    log: silentLog,
    ...kafkaClientOption,
    emitted: [],
    saved: [],
    ingest: undefined,
    abort: () => {
      controller.abort();
    },
    emit: (records) => {
      ctx.emitted.push(...records);
      return Promise.resolve();
    },
    checkpoint: {
      load: () => Promise.resolve(checkpoint),
      save: (position) => {
        ctx.saved.push(position);
        return Promise.resolve();
      },
    },
    serveIngest: (handler) => {
      ctx.ingest = handler;
    },
  };
  return ctx;
}

export interface FakeSinkContext extends SinkContext {
  retained: WeirRecord[];
  warnings: string[];
  abort(): void;
}

export function fakeSinkContext(): FakeSinkContext {
  const controller = new AbortController();
  const ctx: FakeSinkContext = {
    flowId: "flow",
    nodeId: "node",
    signal: controller.signal,
    log: { ...silentLog, warn: (message) => ctx.warnings.push(message) },
    ...kafkaClientOption,
    retained: [],
    warnings: [],
    abort: () => {
      controller.abort();
    },
    retain: (records) => {
      ctx.retained.push(...records);
      return Promise.resolve();
    },
  };
  return ctx;
}
