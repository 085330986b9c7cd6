// Proves a real broker round-trips what connectors rely on: keys, JSON values and headers.
import { randomUUID } from "node:crypto";
import { Kafka, Partitioners, logLevel } from "kafkajs";
import type { KafkaMessage } from "kafkajs";
import { expect, inject, test } from "vitest";
// Brings in the ProvidedContext augmentation that types inject("kafkaBrokers").
import type {} from "@weir/testkit/kafka-setup";
import { stopRequestQueueIdleLoop } from "../kafka-common/request-queue-idle-loop";
import { createTopicsWithLeaders } from "../kafka-common/topics";

// This test's own kafkajs clients too (see request-queue-idle-loop.ts).
stopRequestQueueIdleLoop();

test("kafka round-trips key, JSON value and header", { timeout: 60_000 }, async () => {
  const kafka = new Kafka({
    clientId: "weir-test",
    brokers: inject("kafkaBrokers").split(","),
    logLevel: logLevel.WARN,
  });
  const topic = `weir-test-${randomUUID()}`;
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `weir-test-${randomUUID()}` });
  try {
    await admin.connect();
    await createTopicsWithLeaders(admin, [{ topic, numPartitions: 1 }]);

    await producer.connect();
    const value = { id: 42, name: "weir", tags: ["a", "b"] };
    await producer.send({
      topic,
      messages: [{ key: "k-1", value: JSON.stringify(value), headers: { "x-trace": "trace-1" } }],
    });

    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = new Promise<KafkaMessage>((resolve) => {
      void consumer.run({
        eachMessage: ({ message }) => {
          resolve(message);
          return Promise.resolve();
        },
      });
    });
    const message = await received;

    expect(message.key?.toString()).toBe("k-1");
    expect(JSON.parse(message.value?.toString() ?? "null")).toEqual(value);
    expect(message.headers?.["x-trace"]?.toString()).toBe("trace-1");
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  }
});
