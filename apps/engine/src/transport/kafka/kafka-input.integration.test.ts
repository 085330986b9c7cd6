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
import { EDGE_TOPIC_CONFIGS, encodeRecord } from "./record-codec";
import { EDGE_PRODUCER, TopicWriter } from "./topic-writer";

const log = createLogger("test", { quiet: true });

function input(
  client: KafkaClientKind,
  brokers: string,
  topic: string,
  groupId: string,
  edge?: { maxValueBytes: number; deadLetters: string[] },
): KafkaNodeInput {
  return new KafkaNodeInput(edgeClient(client, { brokers: [brokers], ssl: false }, "weir-test", log), {
    ...(edge
      ? {
          maxValueBytes: edge.maxValueBytes,
          undecodable: (_record: unknown, error: string) => {
            edge.deadLetters.push(error);
            return Promise.resolve();
          },
        }
      : { undecodable: () => Promise.resolve() }),
    groupId,
    topics: [topic],
    fromBeginning: true,
    sessionTimeoutMs: 6_000,
    concurrency: 1,
    lag: new Map(),
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
    await createTopic(brokers, topic, 1, EDGE_TOPIC_CONFIGS);
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
    await createTopic(brokers, topic, 1, EDGE_TOPIC_CONFIGS);
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

  it("never commits past a split value's first chunk before the value is acked: it comes again whole", async () => {
    const brokers = inject("kafkaBrokers");
    const topic = `weir-input-${randomUUID()}`;
    await createTopic(brokers, topic, 1, EDGE_TOPIC_CONFIGS);
    const stopping = new AbortController();
    const writer = new TopicWriter(
      {
        client: edgeClient(client, { brokers: [brokers], ssl: false }, "weir-test", log),
        producer: EDGE_PRODUCER,
        maxRequestBytes: 1024,
      },
      stopping.signal,
      log,
    );
    const big = new Uint8Array(10 * 1024).map((_, i) => (i * 7) & 0xff);
    const chunks = encodeRecord({ key: "k", value: big, headers: {}, timestamp: 1 }, 1024);
    expect(chunks).toHaveLength(10);
    const small = (n: number) => encodeRecord({ key: "k", value: { n }, headers: {}, timestamp: 1 });
    const valueOf = (v: unknown): unknown => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v);
    const deadLetters: string[] = [];
    const edge = { maxValueBytes: 64 * 1024, deadLetters };
    const groupId = `weir-input-${randomUUID()}`;
    try {
      // The value's first half is read (and held) with record 0, which is acked and would be
      // committed but for the value that began after it.
      await writer.write([{ topic, messages: [...small(0), ...chunks.slice(0, 5)] }]);
      const first = input(client, brokers, topic, groupId, edge);
      await first.start();
      const zero = await first.take(10);
      expect(zero?.map((r) => r.value)).toEqual([{ n: 0 }]);
      await first.ack();
      await writer.write([{ topic, messages: [...chunks.slice(5), ...small(2)] }]);
      const rest = await first.take(10);
      const more = rest && rest.length < 2 ? await first.take(10) : [];
      const values = [...(rest ?? []), ...(more ?? [])].map((r) => valueOf(r.value));
      expect(values).toEqual([valueOf(big), { n: 2 }]);
      // Crash before acking the value: nothing past its first chunk may have been committed.
      await first.close();

      const second = input(client, brokers, topic, groupId, edge);
      await second.start();
      const again: unknown[] = [];
      const deadline = Date.now() + 15_000;
      while (again.length < 3 && Date.now() < deadline) {
        const batch = await second.take(10);
        again.push(...(batch ?? []).map((r) => valueOf(r.value)));
        await second.ack();
      }
      // Record 0 comes twice (at least once); the value comes whole, never in pieces.
      expect(again).toEqual([{ n: 0 }, valueOf(big), { n: 2 }]);
      await second.close();
      expect(deadLetters).toEqual([]);

      // A value over the reader's limit is dead-lettered once, saying why, and the next one is read.
      const third = input(client, brokers, topic, `weir-input-${randomUUID()}`, {
        maxValueBytes: 4 * 1024,
        deadLetters,
      });
      await third.start();
      const seen: unknown[] = [];
      while (seen.length < 2 && Date.now() < deadline + 15_000) {
        const batch = await third.take(10);
        seen.push(...(batch ?? []).map((r) => valueOf(r.value)));
        await third.ack();
      }
      expect(seen).toEqual([{ n: 0 }, { n: 2 }]);
      expect(deadLetters).toHaveLength(1);
      expect(deadLetters[0]).toMatch(
        new RegExp(
          `^${topic}/0@1: value [0-9a-f]+ is too large to put together: at least 9217 bytes in 10 chunks, over the reassembly limit of 4096 bytes`,
        ),
      );
      await third.close();
    } finally {
      stopping.abort();
      await writer.disconnect();
    }
  }, 90_000);
});
