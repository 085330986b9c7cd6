// Connection options of the @platformatic/kafka client, from a connection profile.
import type { ConnectionOptions } from "@platformatic/kafka";
import type { KafkaConnection } from "../kafka-common/schema";

/** What every client of one edge (producer, consumer, admin) is created with. */
export type PlatformaticBase = ConnectionOptions & { clientId: string; bootstrapBrokers: string[] };

const SASL_MECHANISMS = {
  plain: "PLAIN",
  "scram-sha-256": "SCRAM-SHA-256",
  "scram-sha-512": "SCRAM-SHA-512",
} as const;

/** Brokers, TLS (verified against the system's CAs, with SNI) and SASL, as a connection profile holds them. */
export function platformaticConnectionOptions(
  connection: KafkaConnection,
): ConnectionOptions & { bootstrapBrokers: string[] } {
  return {
    bootstrapBrokers: [...connection.brokers],
    ...(connection.ssl ? { tls: {}, tlsServerName: true } : {}),
    ...(connection.sasl
      ? {
          sasl: {
            mechanism: SASL_MECHANISMS[connection.sasl.mechanism],
            username: connection.sasl.username,
            password: connection.sasl.password,
          },
        }
      : {}),
  };
}
