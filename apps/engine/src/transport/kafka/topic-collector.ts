import type { KafkaConnection } from "@weir/connectors";
import type { Db } from "@weir/db";
import { errorMessage } from "@weir/domain";
import type { Logger } from "../../logger";
import { edgeClient } from "./client";
import type { KafkaClientKind } from "./edge-client";

/**
 * Deletes the edge topics (and consumer groups) of deleted flows. Topics are recorded in
 * `kafka_edge_topics` when created, so only this installation's topics are ever deleted, and a
 * flow deleted while Kafka was down is cleaned up once it is back. Stopped deployments keep
 * their topics for inspection; only deleting the flow removes them.
 */
export class TopicCollector {
  constructor(
    private readonly db: Db,
    private readonly connection: KafkaConnection,
    private readonly log: Logger,
    private readonly client?: KafkaClientKind,
  ) {}

  async record(flowId: string, topics: readonly string[]): Promise<void> {
    await this.db.kafkaEdgeTopic.createMany({
      data: topics.map((topic) => ({ topic, flowId })),
      skipDuplicates: true,
    });
  }

  async collect(): Promise<void> {
    const orphans = await this.db.$queryRaw<{ topic: string; flowId: string }[]>`
      SELECT topic, flow_id AS "flowId" FROM kafka_edge_topics t
      WHERE NOT EXISTS (SELECT 1 FROM flows f WHERE f.id = t.flow_id)
      LIMIT 500`;
    if (orphans.length === 0) return;
    const admin = await edgeClient(this.client, this.connection, "weir-topic-collector", this.log).admin();
    try {
      const existing = new Set(await admin.listTopics());
      const topics = orphans.map((o) => o.topic).filter((topic) => existing.has(topic));
      if (topics.length > 0) await admin.deleteTopics(topics);
      const flows = new Set(orphans.map((o) => o.flowId));
      const stale = (await admin.listGroups()).filter((id) =>
        [...flows].some((flowId) => id.startsWith(`weir.${flowId}.`)),
      );
      // A group deletion fails while a member is still leaving; the next round retries it.
      if (stale.length > 0) await admin.deleteGroups(stale).catch(() => undefined);
      await this.db.kafkaEdgeTopic.deleteMany({ where: { topic: { in: orphans.map((o) => o.topic) } } });
      this.log.info(
        `deleted ${String(topics.length)} edge topic(s) of ${String(flows.size)} deleted flow(s)`,
      );
    } catch (error) {
      this.log.warn(`deleting the topics of deleted flows failed (retried later): ${errorMessage(error)}`);
    } finally {
      await admin.disconnect();
    }
  }
}
