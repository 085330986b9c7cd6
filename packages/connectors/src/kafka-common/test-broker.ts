// Our own kafkajs client for tests: fresh topics, producing input and reading output.
import { randomUUID } from "node:crypto";
import { Kafka, Partitioners, logLevel } from "kafkajs";
import type { KafkaMessage, Message } from "kafkajs";
import { afterAll, beforeAll, inject } from "vitest";
// Brings in the ProvidedContext augmentation that types inject("kafkaBrokers").
import type {} from "@weir/testkit/kafka-setup";
import { stopRequestQueueIdleLoop } from "./request-queue-idle-loop";
import { createTopicsWithLeaders } from "./topics";

// The tests' own kafkajs clients too (see request-queue-idle-loop.ts).
stopRequestQueueIdleLoop();

export interface TestBroker {
  brokers: string[];
  /** Creates a topic with a unique name and returns it. */
  createTopic(partitions?: number): Promise<string>;
  produce(topic: string, messages: Message[]): Promise<void>;
  /** Reads a topic from its start until `count` messages arrived. */
  consume(topic: string, count: number, timeoutMs?: number): Promise<KafkaMessage[]>;
  close(): Promise<void>;
}

export async function testBroker(brokerList: string): Promise<TestBroker> {
  const brokers = brokerList.split(",");
  const kafka = new Kafka({ clientId: "weir-test", brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await admin.connect();
  await producer.connect();
  return {
    brokers,
    async createTopic(partitions = 3) {
      const topic = `weir-test-${randomUUID()}`;
      await createTopicsWithLeaders(admin, [{ topic, numPartitions: partitions }]);
      return topic;
    },
    async produce(topic, messages) {
      await producer.send({ topic, messages });
    },
    async consume(topic, count, timeoutMs = 30_000) {
      const consumer = kafka.consumer({ groupId: `weir-test-${randomUUID()}` });
      const messages: KafkaMessage[] = [];
      try {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            reject(new Error(`only ${String(messages.length)} of ${String(count)} messages on ${topic}`));
          }, timeoutMs);
          void consumer.run({
            eachMessage: ({ message }) => {
              messages.push(message);
              if (messages.length >= count) {
                clearTimeout(timer);
                resolve();
              }
              return Promise.resolve();
            },
          });
        });
        return messages;
      } finally {
        await consumer.disconnect();
      }
    },
    async close() {
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}

/**
 * The run's broker (`@weir/testkit/kafka-setup`) for one test file: connected in `beforeAll`,
 * closed in `afterAll`. Read `.current` inside tests.
 */
export function useTestBroker(): { current: TestBroker } {
  const handle = {} as { current: TestBroker };
  beforeAll(async () => {
    handle.current = await testBroker(inject("kafkaBrokers"));
  });
  afterAll(async () => {
    await handle.current.close();
  });
  return handle;
}
