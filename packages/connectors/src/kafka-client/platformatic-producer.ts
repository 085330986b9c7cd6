// The producer of an edge on the @platformatic/kafka client.
import { Producer, compatibilityPartitioner } from "@platformatic/kafka";
import type { PlatformaticBase } from "./platformatic-connection";
import type { EdgeProducer, ProducerSettings } from "./edge-client";
import { SEND_TIMEOUT_MS, explained, withTimeout } from "./platformatic-errors";
import { toProduce } from "./platformatic-messages";

export function platformaticProducer(base: PlatformaticBase, settings: ProducerSettings): EdgeProducer {
  const producer: Producer = new Producer({
    ...base,
    idempotent: settings.idempotent,
    acks: settings.acks,
    compression: settings.compression,
    // Java's (and kafkajs') key → partition mapping, so a key keeps its partition across clients.
    partitioner: compatibilityPartitioner,
    // As kafkajs: a sink's topic that does not exist yet is created if the broker allows it.
    autocreateTopics: true,
  });
  return {
    async send(topicMessages) {
      const messages = topicMessages.flatMap(({ topic, messages }) =>
        messages.map((message) => toProduce(topic, message)),
      );
      await explained("producing", () => withTimeout(SEND_TIMEOUT_MS, producer.send({ messages })));
    },
    disconnect: () => producer.close(),
  };
}
