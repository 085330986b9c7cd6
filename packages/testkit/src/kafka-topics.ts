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
    // Not `waitForLeaders`: kafkajs then fails on the UNKNOWN_TOPIC_OR_PARTITION a KRaft broker
    // answers for a moment after creating a topic (see createTopicsWithLeaders in the connectors);
    // the callers only need the topic listed, which it is once the controller has created it.
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
  } finally {
    await admin.disconnect();
  }
}
