// Topics made by createTopicsWithLeaders are ready when it returns: every partition has a leader
// in the very next metadata request (kafkajs's own waitForLeaders sometimes failed instead).
import { randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import type { Admin } from "kafkajs";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type {} from "@weir/testkit/kafka-setup";
import { stopRequestQueueIdleLoop } from "./request-queue-idle-loop";
import { createTopicsWithLeaders } from "./topics";

// This test's own kafkajs client too (see request-queue-idle-loop.ts).
stopRequestQueueIdleLoop();

let admin: Admin;
beforeAll(async () => {
  const kafka = new Kafka({
    clientId: "weir-test-topics",
    brokers: inject("kafkaBrokers").split(","),
    logLevel: logLevel.NOTHING,
  });
  admin = kafka.admin();
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
});

it("returns once every partition of every new topic has a leader, and false when they exist", async () => {
  for (let round = 0; round < 5; round += 1) {
    const topics = [`weir-test-${randomUUID()}`, `weir-test-${randomUUID()}`];
    expect(
      await createTopicsWithLeaders(
        admin,
        topics.map((topic) => ({ topic, numPartitions: 3 })),
      ),
    ).toBe(true);
    const { topics: found } = await admin.fetchTopicMetadata({ topics });
    expect(
      found.map((topic) => topic.partitions.filter((partition) => partition.leader >= 0).length),
    ).toEqual([3, 3]);
    expect(
      await createTopicsWithLeaders(
        admin,
        topics.map((topic) => ({ topic, numPartitions: 3 })),
      ),
    ).toBe(false);
  }
});
