// Engine processes on the Kafka transport, and a look at the topics they create, for tests.
import { createTopicsWithLeaders } from "@weir/connectors";
import { ConfigResourceTypes, Kafka, logLevel } from "kafkajs";
import { startEngine } from "./engine-process";
import type { EngineProcess } from "./engine-process";

/** Starts an engine on the Kafka transport, tuned so failover takes seconds rather than a minute. */
export function startKafkaEngine(
  databaseUrl: string,
  brokers: string,
  engineId: string,
  env: Record<string, string> = {},
): Promise<EngineProcess> {
  return startEngine(databaseUrl, {
    WEIR_TRANSPORT: "kafka",
    WEIR_KAFKA_BROKERS: brokers,
    WEIR_ENGINE_ID: engineId,
    WEIR_KAFKA_PARTITIONS: "4",
    WEIR_LEASE_MS: "3000",
    WEIR_KAFKA_SESSION_TIMEOUT_MS: "6000",
    ...env,
  });
}

export function testKafka(brokers: string): Kafka {
  return new Kafka({ clientId: "weir-test", brokers: brokers.split(","), logLevel: logLevel.NOTHING });
}

export function testAdmin(brokers: string): ReturnType<Kafka["admin"]> {
  return testKafka(brokers).admin();
}

/** The transport topics of one flow that exist on the broker. */
export async function flowTopics(brokers: string, flowId: string): Promise<string[]> {
  const admin = testAdmin(brokers);
  await admin.connect();
  try {
    return (await admin.listTopics()).filter((topic) => topic.startsWith(`weir.${flowId}.`)).sort();
  } finally {
    await admin.disconnect();
  }
}

/** A topic with the broker's defaults, or with `configs` (an edge topic's: EDGE_TOPIC_CONFIGS). */
export async function createTopic(
  brokers: string,
  topic: string,
  partitions: number,
  configs: Readonly<Record<string, string>> = {},
): Promise<void> {
  const admin = testAdmin(brokers);
  await admin.connect();
  try {
    const configEntries = Object.entries(configs).map(([name, value]) => ({ name, value }));
    await createTopicsWithLeaders(admin, [{ topic, numPartitions: partitions, configEntries }]);
  } finally {
    await admin.disconnect();
  }
}

/** One config of a topic as the broker reports it. */
export async function topicConfig(brokers: string, topic: string, name: string): Promise<string | undefined> {
  const admin = testAdmin(brokers);
  await admin.connect();
  try {
    const described = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [name] }],
      includeSynonyms: false,
    });
    return described.resources[0]?.configEntries.find((entry) => entry.configName === name)?.configValue;
  } finally {
    await admin.disconnect();
  }
}
