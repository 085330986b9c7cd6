// What the Kafka source and sink share: one way to build a client whose log goes to the node's log.
import { Kafka, logLevel } from "kafkajs";
import type { KafkaConfig, SASLOptions, logCreator } from "kafkajs";
import type { FunctionLogger } from "@weir/domain";
import type { KafkaConnection } from "./schema";
import { stopRequestQueueIdleLoop } from "./request-queue-idle-loop";
import { shareRequestTimeoutChecks } from "./request-timeout-sweep";

// Every kafkajs client in a process that loads the connectors (the engine's, the API's, the tests'
// admins) is then free of kafkajs' 1 ms idle polling loop and its TimeoutNegativeWarning, and checks
// every connection's request timeouts with one timer instead of one per connection.
stopRequestQueueIdleLoop();
shareRequestTimeoutChecks();

export function saslOptions(sasl: NonNullable<KafkaConnection["sasl"]>): SASLOptions {
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case "plain":
      return { mechanism: "plain", username, password };
    case "scram-sha-256":
      return { mechanism: "scram-sha-256", username, password };
    case "scram-sha-512":
      return { mechanism: "scram-sha-512", username, password };
  }
}

/** How a kafkajs client reaches the cluster a connection profile names: brokers, TLS, SASL. */
export function connectionOptions(
  connection: KafkaConnection,
): Pick<KafkaConfig, "brokers" | "ssl" | "sasl"> {
  return {
    brokers: [...connection.brokers],
    ssl: connection.ssl,
    ...(connection.sasl ? { sasl: saslOptions(connection.sasl) } : {}),
  };
}

export function kafkaClient(connection: KafkaConnection, clientId: string, log: FunctionLogger): Kafka {
  const toNodeLog: logCreator =
    () =>
    ({ level, log: entry }) => {
      // Weir's producers limit kafkajs' retries on purpose (the writers retry themselves): not news.
      if (entry.message.startsWith("Limiting retries for the idempotent producer")) return;
      const message = `kafka: ${entry.message}${typeof entry.error === "string" ? ` (${entry.error})` : ""}`;
      if (level === logLevel.ERROR) log.error(message);
      else if (level === logLevel.WARN) log.warn(message);
    };
  return new Kafka({
    clientId,
    ...connectionOptions(connection),
    logLevel: logLevel.WARN,
    logCreator: toNodeLog,
  });
}

/** A client id that shows in broker logs which flow node a connection belongs to. */
export function clientIdOf(flowId: string, nodeId: string): string {
  return `weir-${flowId}-${nodeId}`;
}
