import { Kafka, logLevel } from "kafkajs";
import type { logCreator } from "kafkajs";
import { connectionOptions, kafkaEdgeClient } from "@weir/connectors";
import type { KafkaConnection } from "@weir/connectors";
import type { Logger } from "../../logger";
import type { EdgeClient, KafkaClientKind } from "./edge-client";

/** The transport's own connection on the chosen client (brokers, TLS and SASL of a connection profile). */
export function edgeClient(
  kind: KafkaClientKind | undefined,
  connection: KafkaConnection,
  clientId: string,
  log: Logger,
): EdgeClient {
  return kafkaEdgeClient(kind, connection, clientId, log);
}

/**
 * A kafkajs client for the transport's own connection (brokers, TLS and SASL as a Kafka
 * connection profile holds them) whose warnings and errors go to the engine's log: exactly-once
 * inputs run their transactions on it.
 */
export function transportClient(connection: KafkaConnection, clientId: string, log: Logger): Kafka {
  const toLog: logCreator =
    () =>
    ({ level, log: entry }) => {
      // The edge producers limit kafkajs' retries on purpose (see kafka-output.ts): not news.
      if (entry.message.startsWith("Limiting retries for the idempotent producer")) return;
      const message = `kafka: ${entry.message}${typeof entry.error === "string" ? ` (${entry.error})` : ""}`;
      if (level === logLevel.ERROR) log.error(message);
      else if (level === logLevel.WARN) log.warn(message);
    };
  return new Kafka({
    clientId,
    ...connectionOptions(connection),
    logLevel: logLevel.WARN,
    logCreator: toLog,
  });
}
