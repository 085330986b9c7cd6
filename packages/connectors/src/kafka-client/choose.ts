// The one place Weir picks its Kafka client library: the engine's transport and request replies
// and the kafka-source / kafka-sink connectors all get their client here.
import type { FunctionLogger } from "@weir/domain";
import { kafkaClient } from "../kafka-common/client";
import type { KafkaConnection } from "../kafka-common/schema";
import type { EdgeClient, KafkaClientKind } from "./edge-client";
import { kafkajsEdgeClient } from "./kafkajs-client";
import { platformaticEdgeClient } from "./platformatic-client";

/**
 * What an engine runs on unless WEIR_KAFKA_CLIENT says otherwise: still kafkajs, because the
 * SIGKILL fault test timed out on @platformatic/kafka in 2 of 4 runs (apps/engine/README.md,
 * "Kafka transport: the client"); switch once that is settled.
 */
export const DEFAULT_KAFKA_CLIENT: KafkaClientKind = "kafkajs";

/** A client for the cluster `connection` names, on `kind`; kafkajs logs its warnings to `log`. */
export function kafkaEdgeClient(
  kind: KafkaClientKind | undefined,
  connection: KafkaConnection,
  clientId: string,
  log: FunctionLogger,
): EdgeClient {
  return (kind ?? DEFAULT_KAFKA_CLIENT) === "platformatic"
    ? platformaticEdgeClient(connection, clientId)
    : kafkajsEdgeClient(kafkaClient(connection, clientId, log));
}
