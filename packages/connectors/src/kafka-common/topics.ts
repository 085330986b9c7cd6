import type { Admin, ITopicConfig } from "kafkajs";

const POLL_MS = 100;

/** The metadata answers a topic gives while a KRaft broker is still bringing it up. */
const NOT_READY = new Set(["UNKNOWN_TOPIC_OR_PARTITION", "LEADER_NOT_AVAILABLE"]);

function notReady(error: unknown): boolean {
  return error instanceof Error && NOT_READY.has((error as Error & { type?: string }).type ?? "");
}

/**
 * Creates topics and returns once every partition has a leader (false if they all existed).
 * kafkajs's own `waitForLeaders` retries only LEADER_NOT_AVAILABLE, but a KRaft broker answers
 * UNKNOWN_TOPIC_OR_PARTITION for a moment after creating a topic, and kafkajs then fails the
 * whole call although the topic exists: a deployment (or a test) failed on a healthy broker.
 */
export async function createTopicsWithLeaders(
  admin: Admin,
  topics: ITopicConfig[],
  timeoutMs = 30_000,
): Promise<boolean> {
  const created = await admin.createTopics({ topics, waitForLeaders: false, timeout: timeoutMs });
  const names = topics.map((topic) => topic.topic);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: names });
      const led = found.every(
        (topic) =>
          topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0),
      );
      if (led && found.length === names.length) return created;
    } catch (error) {
      if (!notReady(error)) throw error;
    }
    if (Date.now() > deadline) {
      throw new Error(`topics ${names.join(", ")} have no leader after ${String(timeoutMs)} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
