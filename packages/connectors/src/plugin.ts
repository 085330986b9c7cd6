import type { FunctionLogger, JsonValue, NodeTypeDefinition, WeirRecord } from "@weir/domain";
import type { KafkaClientKind } from "./kafka-client/edge-client";

/**
 * What a connector receives from the engine. Connectors never import the engine; every
 * capability they need arrives through these contexts.
 */
export interface ConnectorContext {
  flowId: string;
  nodeId: string;
  /** Aborted when the deployment stops. */
  signal: AbortSignal;
  log: FunctionLogger;
  /**
   * The stored connection profile `name` of kind `kind`, its config and secrets merged; rejects
   * when there is none. Optional while engines without profiles exist.
   */
  connection?(name: string, kind: string): Promise<JsonValue>;
  /** The Kafka client library the engine runs on (its WEIR_KAFKA_CLIENT); DEFAULT_KAFKA_CLIENT if absent. */
  kafkaClient?: KafkaClientKind;
}

export interface Checkpoint {
  load(): Promise<JsonValue | null>;
  save(position: JsonValue): Promise<void>;
}

export interface IngestOptions {
  maxBodyBytes: number;
  /** Accept POSTs without the node's ingest token. */
  public?: boolean;
}

/** Receives a parsed request body; resolves once the records are accepted downstream. */
export type IngestHandler = (body: unknown) => Promise<{ accepted: number }>;

export interface SourceContext extends ConnectorContext {
  /** Sends records downstream; resolves once they are queued, so it waits under backpressure. */
  emit(records: readonly WeirRecord[]): Promise<void>;
  checkpoint: Checkpoint;
  /**
   * Routes the engine's `POST /ingest/<flowId>/<nodeId>` to this handler; the engine checks the
   * node's ingest token first unless `public`.
   */
  serveIngest(handler: IngestHandler, options: IngestOptions): void;
  /**
   * Stores a record the source received but cannot turn into a valid record (e.g. bad JSON),
   * with the reason, in the dead-letter store; the stream goes on. Optional while engines
   * without it exist: sources fall back to `log.error` (see `reportUndecodable`).
   */
  deadLetter?(record: WeirRecord, error: string): Promise<void>;
}

export interface SinkContext extends ConnectorContext {
  /**
   * Keeps records for inspection through the API, at most `keep` per node. Resolves once they are
   * stored: a sink's write is done (and its input acked) only then.
   */
  retain(records: readonly WeirRecord[], keep: number): Promise<void>;
}

export interface SourcePlugin<Config = unknown> {
  definition: NodeTypeDefinition<Config>;
  /** Runs until done (a finite source) or until ctx.signal aborts. */
  run(config: Config, ctx: SourceContext): Promise<void>;
}

export interface SinkInstance {
  /** Throws when the record cannot be delivered; the engine dead-letters it. */
  write(record: WeirRecord): Promise<void>;
  /**
   * Optional faster path: delivers all records or throws for the whole batch (a caller may
   * then fall back to `write` per record to dead-letter only the ones that fail).
   */
  writeBatch?(records: readonly WeirRecord[]): Promise<void>;
  /**
   * Set when `writeBatch` may be called again before the previous call has resolved: the sink
   * keeps the batches in the order of the calls (a buffered store whose writes resolve once
   * stored). The engine then reads the next batch while the last one is being stored, instead
   * of waiting a database round trip per batch.
   */
  readonly overlapsBatches?: boolean;
  close(): Promise<void>;
}

export interface SinkPlugin<Config = unknown> {
  definition: NodeTypeDefinition<Config>;
  open(config: Config, ctx: SinkContext): Promise<SinkInstance>;
}

/** A sink's failure to deliver one record after `attempts` tries. */
export class DeliveryError extends Error {
  readonly attempts: number;
  constructor(message: string, attempts: number) {
    super(message);
    this.name = "DeliveryError";
    this.attempts = attempts;
  }
}

/** Hands an undecodable record to the dead-letter store, or logs it when the engine has none. */
export async function reportUndecodable(
  ctx: SourceContext,
  record: WeirRecord,
  error: string,
): Promise<void> {
  if (ctx.deadLetter) await ctx.deadLetter(record, error);
  else ctx.log.error(`dead letter: ${error}`);
}
