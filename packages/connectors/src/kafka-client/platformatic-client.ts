// The edge client on @platformatic/kafka (WEIR_KAFKA_CLIENT=platformatic): a
// maintained, pure-TypeScript client. Its consumer is a stream that heartbeats by itself; the
// commit discipline stays the caller's (autocommit off, offsets committed by hand).
// One file a concern: platformatic-producer, -consumer, -admin; -connection (brokers, TLS,
// SASL), -errors and -messages (kafkajs' message shape) serve them.
import type { KafkaConnection } from "../kafka-common/schema";
import type {
  CommitOffset,
  ConsumerHandlers,
  ConsumerSettings,
  EdgeAdmin,
  EdgeClient,
  EdgeConsumer,
  EdgeProducer,
  ProducerSettings,
} from "./edge-client";
import { platformaticConnectionOptions } from "./platformatic-connection";
import type * as PlatformaticParts from "./platformatic-parts";

export { platformaticConnectionOptions } from "./platformatic-connection";

type Parts = typeof PlatformaticParts;

/**
 * The library loads with the first producer, consumer or admin asked of it, not with every
 * process that imports the connectors: it is three quarters of a second of each engine start,
 * and engines on kafkajs or the in-process transport never use it.
 */
let parts: Promise<Parts> | undefined;
let loaded: Parts | undefined;
function loadParts(): Promise<Parts> {
  parts ??= import("./platformatic-parts").then((module) => (loaded = module));
  return parts;
}

/** A consumer whose library loads when it starts; commits and disconnects wait for that. */
class DeferredConsumer implements EdgeConsumer {
  private consumer: Promise<EdgeConsumer> | undefined;

  constructor(private readonly create: () => Promise<EdgeConsumer>) {}

  private get(): Promise<EdgeConsumer> {
    this.consumer ??= this.create();
    return this.consumer;
  }

  async start(handlers: ConsumerHandlers): Promise<void> {
    await (await this.get()).start(handlers);
  }

  async commit(offsets: readonly CommitOffset[]): Promise<void> {
    await (await this.get()).commit(offsets);
  }

  async disconnect(): Promise<void> {
    // Never started: nothing was loaded or connected.
    if (this.consumer === undefined) return;
    await (await this.consumer).disconnect();
  }
}

export function platformaticEdgeClient(connection: KafkaConnection, clientId: string): EdgeClient {
  const base = { clientId, ...platformaticConnectionOptions(connection) };
  return {
    kind: "platformatic",
    producer: async (settings: ProducerSettings): Promise<EdgeProducer> =>
      (await loadParts()).platformaticProducer(base, settings),
    consumer: (settings: ConsumerSettings): EdgeConsumer =>
      new DeferredConsumer(async () => new (await loadParts()).PlatformaticConsumer(base, settings)),
    admin: async (): Promise<EdgeAdmin> => (await loadParts()).platformaticAdmin(base),
    // Only the library's own errors are permanent, and there are none before it loaded.
    isPermanent: (error) => loaded?.isPermanent(error) ?? false,
  };
}
