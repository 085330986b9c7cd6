// Creates a topic on a test broker, for tests that need one to exist (e.g. a connection test
// that lists topics) without a client of their own.
import { Kafka, logLevel } from "kafkajs";

export async function createKafkaTopic(brokers: string, topic: string, partitions = 1): Promise<void> {
  const admin = new Kafka({
    clientId: "weir-test-topics",
    brokers: brokers.split(","),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}
