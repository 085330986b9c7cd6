// Time retention against a real broker that checks it every half second: a record whose own
// timestamp is older than the topic's retention (a backfill, a replay of an old topic) stays on
// its edge until the next node reads it. The same message on a topic with the broker's defaults
// is deleted, which shows the check ran while the edge kept its record.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKafka } from "@weir/testkit";
import type { KafkaHandle } from "@weir/testkit";
import { createLogger } from "../../logger";
import { createTopic, testAdmin } from "../../../test/kafka-engines";
import { edgeClient } from "./client";
import { KAFKA_CLIENT_KINDS } from "./edge-client";
import { KafkaNodeInput } from "./kafka-input";
import { EDGE_TOPIC_CONFIGS, encodeRecord } from "./record-codec";
import { EDGE_PRODUCER, TopicWriter } from "./topic-writer";

const log = createLogger("test", { quiet: true });
/** Twelve years before this test was written: far past any retention. */
const OLD = Date.UTC(2014, 0, 1);

let kafka: KafkaHandle;

beforeAll(async () => {
  kafka = await startKafka({ retentionCheckMs: 500 });
}, 180_000);

afterAll(async () => {
  await kafka.stop();
});

/** Resolves once the broker deleted every message of the topic's partition 0, or false after `ms`. */
async function deletedWithin(topic: string, ms: number): Promise<boolean> {
  const admin = testAdmin(kafka.brokers);
  await admin.connect();
  try {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const [partition] = await admin.fetchTopicOffsets(topic);
      if (partition && Number(partition.high) > 0 && partition.low === partition.high) return true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return false;
  } finally {
    await admin.disconnect();
  }
}

describe.each(KAFKA_CLIENT_KINDS)("an edge topic on %s", (client) => {
  it("keeps a record older than its retention until it is read, with its own timestamp", async () => {
    const edge = `weir-retention-edge-${randomUUID()}`;
    const plain = `weir-retention-plain-${randomUUID()}`;
    await createTopic(kafka.brokers, edge, 1, EDGE_TOPIC_CONFIGS);
    await createTopic(kafka.brokers, plain, 1);
    const stopping = new AbortController();
    const writer = new TopicWriter(
      {
        client: edgeClient(client, { brokers: [kafka.brokers], ssl: false }, "weir-test", log),
        producer: EDGE_PRODUCER,
      },
      stopping.signal,
      log,
    );
    const record = { key: "k", value: { n: 1 }, headers: { h: "v" }, timestamp: OLD };
    try {
      await writer.write([
        { topic: edge, messages: encodeRecord(record) },
        { topic: plain, messages: encodeRecord(record) },
      ]);
      // On the broker's defaults the message's timestamp is the record's: retention deletes it
      // (the broker's first check comes 30 s after it started, then every half second).
      expect(await deletedWithin(plain, 60_000)).toBe(true);
    } finally {
      stopping.abort();
      await writer.disconnect();
    }
    const input = new KafkaNodeInput(
      edgeClient(client, { brokers: [kafka.brokers], ssl: false }, "weir-test", log),
      {
        groupId: `weir-retention-${randomUUID()}`,
        topics: [edge],
        fromBeginning: true,
        sessionTimeoutMs: 6_000,
        concurrency: 1,
        lag: new Map(),
        undecodable: () => Promise.resolve(),
        log,
      },
    );
    await input.start();
    try {
      const read = await Promise.race([
        input.take(10),
        new Promise<"nothing within 15 s">((resolve) =>
          setTimeout(() => {
            resolve("nothing within 15 s");
          }, 15_000),
        ),
      ]);
      expect(read).toEqual([record]);
      await input.ack();
    } finally {
      await input.close();
    }
  }, 120_000);
});
