// The admin of an edge on the @platformatic/kafka client: topics and consumer groups.
import { Admin } from "@platformatic/kafka";
import type { PlatformaticBase } from "./platformatic-connection";
import type { EdgeAdmin } from "./edge-client";
import { explained, protocolErrorIds } from "./platformatic-errors";

export function platformaticAdmin(base: PlatformaticBase): EdgeAdmin {
  const admin = new Admin(base);
  return {
    listTopics: () => explained("listing topics", () => admin.listTopics()),
    async createTopics(topics) {
      // One request per partition count and replication; createTopics takes them for all its topics.
      for (const topic of topics) {
        await explained(`creating topic ${topic.topic}`, () =>
          admin
            .createTopics({
              topics: [topic.topic],
              partitions: topic.partitions,
              ...(topic.replicationFactor === undefined ? {} : { replicas: topic.replicationFactor }),
              ...(topic.configs
                ? { configs: Object.entries(topic.configs).map(([name, value]) => ({ name, value })) }
                : {}),
            })
            .catch((error: unknown) => {
              // Another engine created it meanwhile: what was wanted.
              if (protocolErrorIds(error).every((id) => id === "TOPIC_ALREADY_EXISTS")) return [];
              throw error;
            }),
        );
      }
    },
    deleteTopics: (topics) => explained("deleting topics", () => admin.deleteTopics({ topics: [...topics] })),
    listGroups: async () => [...(await explained("listing groups", () => admin.listGroups())).keys()],
    deleteGroups: (groups) => explained("deleting groups", () => admin.deleteGroups({ groups: [...groups] })),
    disconnect: () => admin.close(),
  };
}
