// What the Kafka source and sink share: one way to build a client whose log goes to the node's log.
import { Kafka, logLevel } from "kafkajs";
import type { logCreator } from "kafkajs";
import type { FunctionLogger } from "@weir/domain";

export function kafkaClient(brokers: readonly string[], clientId: string, log: FunctionLogger): Kafka {
  const toNodeLog: logCreator =
    () =>
    ({ level, log: entry }) => {
      const message = `kafka: ${entry.message}${typeof entry.error === "string" ? ` (${entry.error})` : ""}`;
      if (level === logLevel.ERROR) log.error(message);
      else if (level === logLevel.WARN) log.warn(message);
    };
  return new Kafka({ clientId, brokers: [...brokers], logLevel: logLevel.WARN, logCreator: toNodeLog });
}

/** A client id that shows in broker logs which flow node a connection belongs to. */
export function clientIdOf(flowId: string, nodeId: string): string {
  return `weir-${flowId}-${nodeId}`;
}
