// The commit rule of the Kafka transport, against the real broker: an input's offsets move only
// past records that were acked, so whatever a crashed or stopped member took but did not ack
// is read again by the group.
import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
// Brings in the ProvidedContext augmentation that types inject("kafkaBrokers").
import type {} from "@weir/testkit/kafka-setup";
import { createLogger } from "../../logger";
import { createTopic } from "../../../test/kafka-engines";
import { kcatProduce } from "../../../test/kcat";
import { edgeClient } from "./client";
import { KAFKA_CLIENT_KINDS } from "./edge-client";
import type { KafkaClientKind } from "./edge-client";
import { KafkaNodeInput, MAX_UNCOMMITTED } from "./kafka-input";

const log = createLogger("test", { quiet: true });

function input(client: KafkaClientKind, brokers: string, topic: string, groupId: string): KafkaNodeInput {
  return new KafkaNodeInput(edgeClient(client, { brokers: [brokers], ssl: false }, "weir-test", log), {
    groupId,
    topics: [topic],
    fromBeginning: true,
    sessionTimeoutMs: 6_000,
    concurrency: 1,
    lag: new Map(),
    undecodable: () => Promise.resolve(),
    log,
  });
}

/** Batches taken and not yet acked, per input (an input acks its batches one by one, oldest first). */
const unacked = new Map<KafkaNodeInput, number>();

async function ackAll(from: KafkaNodeInput): Promise<void> {
  for (let left = unacked.get(from) ?? 0; left > 0; left--) await from.ack();
  unacked.delete(from);
}

/** Takes until `count` records arrived, or returns what came within 15 s. */
async function takeAtLeast(from: KafkaNodeInput, count: number): Promise<number[]> {
  const seen: number[] = [];
  const deadline = Date.now() + 15_000;
  while (seen.length < count && Date.now() < deadline) {
    const timeout = new Promise<null>((resolve) =>
      setTimeout(() => {
        resolve(null);
      }, deadline - Date.now()),
    );
    const batch = await Promise.race([from.take(count - seen.length), timeout]);
    if (batch === null) break;
    unacked.set(from, (unacked.get(from) ?? 0) + 1);
    seen.push(...batch.map((record) => (record.value as { n: number }).n));
  }
  return seen;
}

describe.each(KAFKA_CLIENT_KINDS)("KafkaNodeInput on %s", (client) => {
  it("commits only acked records: what was taken but not acked is read again", async () => {
    const brokers = inject("kafkaBrokers");
    const topic = `weir-input-${randomUUID()}`;
    const groupId = `weir-input-${randomUUID()}`;
    await createTopic(brokers, topic, 1);
    await kcatProduce(
      brokers,
      topic,
      [...Array(10).keys()].map((n) => `k\t${JSON.stringify({ n })}`),
    );

    // Takes everything and acks nothing (the node was still working on it), then goes away.
    const first = input(client, brokers, topic, groupId);
    await first.start();
    expect(await takeAtLeast(first, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await first.close();

    // The group has committed nothing, so the next member reads all of it again.
    const second = input(client, brokers, topic, groupId);
    await second.start();
    expect(await takeAtLeast(second, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await ackAll(second);
    await second.close();

    // Everything acked is committed: a new member sees only what is produced afterwards.
    await kcatProduce(brokers, topic, [`k\t${JSON.stringify({ n: 10 })}`]);
    const third = input(client, brokers, topic, groupId);
    await third.start();
    expect(await takeAtLeast(third, 1)).toEqual([10]);
    await third.close();
  }, 90_000);

  it(`hands on at most MAX_UNCOMMITTED (${String(MAX_UNCOMMITTED)}) records that are not committed`, async () => {
    const brokers = inject("kafkaBrokers");
    const topic = `weir-input-${randomUUID()}`;
    await createTopic(brokers, topic, 1);
    const total = 2 * MAX_UNCOMMITTED + 100;
    await kcatProduce(
      brokers,
      topic,
      [...Array(total).keys()].map((n) => `k\t${JSON.stringify({ n })}`),
    );
    const member = input(client, brokers, topic, `weir-input-${randomUUID()}`);
    await member.start();
    try {
      // Taken and not acked: the window is full, and nothing more comes however long we wait.
      const first = await takeAtLeast(member, MAX_UNCOMMITTED);
      expect(first).toEqual([...Array(MAX_UNCOMMITTED).keys()]);
      const pending = member.take(MAX_UNCOMMITTED);
      const more = await Promise.race([
        pending,
        new Promise<"none">((resolve) => {
          setTimeout(() => {
            resolve("none");
          }, 3_000);
        }),
      ]);
      expect(more).toBe("none");
      // Acked and committed: the window opens again, in order.
      await ackAll(member);
      const next = ((await pending) ?? []).map((record) => (record.value as { n: number }).n);
      next.push(...(await takeAtLeast(member, MAX_UNCOMMITTED - next.length)));
      expect(next).toEqual([...Array(MAX_UNCOMMITTED).keys()].map((n) => n + MAX_UNCOMMITTED));
    } finally {
      await member.close();
    }
  }, 90_000);
});
