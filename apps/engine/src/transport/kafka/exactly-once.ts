// What exactly-once delivery (flow setting `delivery: "exactly-once"`) needs of the Kafka
// transport before a deployment starts, so a flow that cannot keep the promise is refused with
// the reason instead of running at least once.
import type { KafkaConnection } from "@weir/connectors";
import type { FlowSpec } from "@weir/domain";
import type { KafkaClientKind } from "./edge-client";

/** Why this flow cannot run exactly once here, or undefined when it can (or does not ask to). */
export function exactlyOnceRefusal(spec: FlowSpec, client: KafkaClientKind): string | undefined {
  if (spec.delivery !== "exactly-once") return undefined;
  if (client !== "kafkajs")
    return `delivery "exactly-once" runs on the kafkajs client only; this engine uses WEIR_KAFKA_CLIENT=${client}`;
  return undefined;
}

/** Whether two connections reach the same brokers (one transaction can span only one cluster). */
export function sameCluster(a: KafkaConnection, b: KafkaConnection): boolean {
  const brokers = (connection: KafkaConnection) => [...connection.brokers].sort().join(",");
  return brokers(a) === brokers(b);
}
