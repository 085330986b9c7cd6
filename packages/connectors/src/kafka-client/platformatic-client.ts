// The edge client on @platformatic/kafka (WEIR_KAFKA_CLIENT=platformatic): a
// maintained, pure-TypeScript client. Its consumer is a stream that heartbeats by itself; the
// commit discipline stays the caller's (autocommit off, offsets committed by hand).
// One file a concern: platformatic-producer, -consumer, -admin; -connection (brokers, TLS,
// SASL), -errors and -messages (kafkajs' message shape) serve them.
import type { KafkaConnection } from "../kafka-common/schema";
import type { EdgeAdmin, EdgeClient, EdgeProducer, ProducerSettings } from "./edge-client";
import { platformaticAdmin } from "./platformatic-admin";
import { platformaticConnectionOptions } from "./platformatic-connection";
import { PlatformaticConsumer } from "./platformatic-consumer";
import { isPermanent } from "./platformatic-errors";
import { platformaticProducer } from "./platformatic-producer";

export { platformaticConnectionOptions } from "./platformatic-connection";
export { describeKafkaError } from "./platformatic-errors";

export function platformaticEdgeClient(connection: KafkaConnection, clientId: string): EdgeClient {
  const base = { clientId, ...platformaticConnectionOptions(connection) };
  return {
    kind: "platformatic",
    producer: (settings: ProducerSettings): Promise<EdgeProducer> =>
      Promise.resolve(platformaticProducer(base, settings)),
    consumer: (settings) => new PlatformaticConsumer(base, settings),
    admin: (): Promise<EdgeAdmin> => Promise.resolve(platformaticAdmin(base)),
    isPermanent,
  };
}
