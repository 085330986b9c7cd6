import type { FunctionRuntime, FunctionStateStore, JsonValue, WeirRecord } from "@weir/domain";
import type { IngestHandler, IngestOptions } from "@weir/connectors";
import type { Logger } from "../logger";
import type { StoredConnection } from "../stores/connection-store";
import type { NodeCounters } from "../stats";
import type { RequestService } from "../requests/request-routes";
import type { Tracing } from "../tracing/tracing";
import type { EdgePeeks } from "../peek/edge-peeks";
import type { KafkaClientKind } from "@weir/connectors";

export interface DeploymentRef {
  id: string;
  flowId: string;
  flowVersionId: string;
  version: number;
}

export interface DeadLetterEntry {
  deployment: DeploymentRef;
  nodeId: string;
  record: WeirRecord;
  error: string;
  attempts: number;
}

export interface NodeState extends FunctionStateStore {
  /** Makes the writes applied so far durable; called after each batch, before its outputs move on. */
  flush(): Promise<void>;
}

/** What a running flow needs from the engine around it; tests can provide their own. */
export interface FlowServices {
  log: Logger;
  runtimes: ReadonlyMap<string, FunctionRuntime>;
  counters(deploymentId: string, nodeId: string, rateCounts: "in" | "out"): NodeCounters;
  deadLetters: { add(entry: DeadLetterEntry): void; persisted(): Promise<void> };
  retained: {
    add(deployment: DeploymentRef, nodeId: string, records: readonly WeirRecord[], keep: number): void;
    /** Resolves once the node's records added so far are stored (or dead-lettered). */
    persisted(deployment: DeploymentRef, nodeId: string, soon?: boolean): Promise<void>;
  };
  checkpoints: {
    load(flowId: string, nodeId: string): Promise<JsonValue | null>;
    save(flowId: string, nodeId: string, position: JsonValue): Promise<void>;
  };
  ingest: {
    register(flowId: string, nodeId: string, handler: IngestHandler, options: IngestOptions): void;
    unregister(flowId: string, nodeId: string): void;
  };
  /** Request/response flows (http-request → … → http-response); absent where they cannot run. */
  requests?: RequestService;
  /** Edge peek: samples an edge's records while someone watches it; absent, outputs are not wrapped. */
  peeks?: EdgePeeks;
  /** Spans per node per record, exported over OTLP; absent when tracing is off. */
  tracing?: Tracing;
  state(flowId: string, nodeId: string): NodeState;
  secrets(names: readonly string[]): Promise<Record<string, string>>;
  /** The bytes of an uploaded WebAssembly component; rejects when there is none. */
  artifact(sha256: string): Promise<Uint8Array>;
  /** A connection profile with its config and secrets merged; rejects when there is none. */
  connection(name: string): Promise<StoredConnection>;
  /** The Kafka client library for the Kafka connectors (WEIR_KAFKA_CLIENT); the connectors' default if absent. */
  kafkaClient?: KafkaClientKind;
  /** Prometheus observations that are not counts (optional: tests may leave them out). */
  metrics?: {
    /** One call into a function runtime: its batch's wall time. */
    batch(deploymentId: string, nodeId: string, seconds: number): void;
    /** Function sandboxes thrown away and made anew (a crash, a time or memory limit). */
    sandboxRestarts(deploymentId: string, nodeId: string, count: number): void;
  };
  functionLogs: {
    add(entry: {
      deployment: DeploymentRef;
      nodeId: string;
      instance: string;
      level: string;
      message: string;
      /** The sampled trace of the record processed when the line was written. */
      traceId?: string | undefined;
    }): void;
  };
}
