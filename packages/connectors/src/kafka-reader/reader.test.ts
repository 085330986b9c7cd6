// The reader's commit rule against a fake client: batches are fed by hand, commits recorded.
import type { KafkaMessage } from "kafkajs";
import { describe, expect, it } from "vitest";
import type {
  BatchControl,
  CommitOffset,
  ConsumerHandlers,
  EdgeClient,
  EdgeConsumer,
} from "../kafka-client/edge-client";
import { KafkaReader } from "./reader";
import type { Hold, ReaderItem, ReaderLayer } from "./reader";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

class FakeConsumer implements EdgeConsumer {
  handlers: ConsumerHandlers | undefined;
  commits: CommitOffset[][] = [];
  failNext = 0;
  heartbeats = 0;

  start(handlers: ConsumerHandlers): Promise<void> {
    this.handlers = handlers;
    handlers.joined(new Set(["t/0"]));
    return Promise.resolve();
  }

  commit(offsets: readonly CommitOffset[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error("rebalancing"));
    }
    this.commits.push([...offsets]);
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    return Promise.resolve();
  }

  /** Feeds messages `from`..`to` (inclusive) of partition t/0; resolves when the handler returns. */
  feed(from: number, to: number, alive = () => true): Promise<void> {
    const messages: KafkaMessage[] = [];
    for (let offset = from; offset <= to; offset++)
      messages.push({
        key: null,
        value: Buffer.from(String(offset)),
        timestamp: "0",
        attributes: 0,
        offset: String(offset),
        headers: {},
      });
    const control: BatchControl = {
      heartbeat: () => {
        this.heartbeats++;
        return Promise.resolve();
      },
      alive,
      resolved: () => undefined,
    };
    if (!this.handlers) throw new Error("not started");
    return this.handlers.batch({ topic: "t", partition: 0, highWatermark: to + 1, messages }, control);
  }

  /** The offsets committed so far for t/0, in order. */
  get offsets(): string[] {
    return this.commits.flat().map((commit) => commit.offset);
  }
}

function fakeClient(consumer: FakeConsumer): EdgeClient {
  return {
    kind: "kafkajs",
    consumer: () => consumer,
    producer: () => Promise.reject(new Error("unused")),
    admin: () => Promise.reject(new Error("unused")),
    isPermanent: () => false,
  };
}

/** Each message is one item: its offset. */
const plain: ReaderLayer<number> = {
  admit: (messages, _at, hold) =>
    Promise.resolve(messages.map((message) => ({ value: Number(message.offset), hold: hold() }))),
};

async function started<T>(
  layer: ReaderLayer<T>,
  window = { messages: 100, bytes: 1_000_000 },
  chunk = 2,
): Promise<{ reader: KafkaReader<T>; consumer: FakeConsumer }> {
  const consumer = new FakeConsumer();
  const reader = new KafkaReader<T>(
    fakeClient(consumer),
    {
      groupId: "g",
      topics: ["t"],
      fromBeginning: true,
      sessionTimeoutMs: 10_000,
      concurrency: 1,
      chunk,
      window,
      log: quiet,
    },
    layer,
  );
  await reader.start();
  return { reader, consumer };
}

/** Lets the background commit loop run. */
const settled = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe("KafkaReader", () => {
  it("commits a unit's offset only once every record of it and of the units before it is acked", async () => {
    const { reader, consumer } = await started(plain);
    await consumer.feed(0, 4); // units [0,1] [2,3] [4]
    expect(await reader.take(1)).toEqual([0]);
    expect(await reader.take(2)).toEqual([1, 2]);
    expect(await reader.take(10)).toEqual([3, 4]);
    await settled();
    expect(consumer.offsets).toEqual([]);
    reader.ack(); // [0]: unit [0,1] still holds record 1
    await settled();
    expect(consumer.offsets).toEqual([]);
    reader.ack(); // [1,2]: unit [0,1] done, [2,3] holds 3
    await settled();
    expect(consumer.offsets).toEqual(["2"]);
    reader.ack(); // [3,4]
    await settled();
    expect(consumer.offsets).toEqual(["2", "5"]);
    expect(reader.uncommitted).toBe(0);
  });

  it("holds every later commit back while an earlier unit is held (a split value's first chunk)", async () => {
    let first: Hold | undefined;
    // Offset 0 opens a value that completes at offset 3: its record acks the hold on unit [0,1].
    const layer: ReaderLayer<string> = {
      admit: (messages, _at, hold) => {
        const items: ReaderItem<string>[] = [];
        for (const message of messages) {
          if (message.offset === "0") first = hold();
          else if (message.offset === "3" && first) items.push({ value: "value 0..3", hold: first });
          else if (message.offset !== "1" && message.offset !== "2")
            items.push({ value: message.offset, hold: hold() });
        }
        return Promise.resolve(items);
      },
    };
    const { reader, consumer } = await started(layer);
    await consumer.feed(0, 1);
    await consumer.feed(2, 5);
    expect(await reader.take(10)).toEqual(["value 0..3", "4", "5"]);
    await settled();
    expect(consumer.offsets).toEqual([]);
    reader.ack();
    await settled();
    expect(consumer.offsets).toEqual(["6"]);
  });

  it("commits past a unit whose messages were all released (dead-lettered)", async () => {
    const released: Hold[] = [];
    const layer: ReaderLayer<number> = {
      admit: (messages, _at, hold) => {
        released.push(...messages.map(() => hold()));
        return Promise.resolve([]);
      },
    };
    const { reader, consumer } = await started(layer);
    await consumer.feed(0, 1);
    await settled();
    expect(consumer.offsets).toEqual([]);
    // Their dead letters are stored.
    for (const hold of released) reader.release(hold);
    await settled();
    expect(consumer.offsets).toEqual(["2"]);
  });

  it("waits beyond the window, heartbeating, and goes on once commits free it", async () => {
    const { reader, consumer } = await started(plain, { messages: 4, bytes: 1_000_000 });
    let fed = false;
    const feeding = consumer.feed(0, 5).then(() => {
      fed = true;
    });
    await settled();
    expect(await reader.take(10)).toEqual([0, 1, 2, 3]);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(fed).toBe(false);
    expect(consumer.heartbeats).toBeGreaterThan(0);
    reader.ack();
    await feeding;
    expect(await reader.take(10)).toEqual([4, 5]);
    expect(consumer.offsets).toEqual(["4"]);
  });

  it("counts the window in bytes too, and an empty window takes a unit larger than it", async () => {
    const { reader, consumer } = await started(plain, { messages: 100, bytes: 1 }, 2);
    let fed = false;
    const feeding = consumer.feed(0, 3).then(() => {
      fed = true;
    });
    await settled();
    expect(await reader.take(10)).toEqual([0, 1]);
    await settled();
    expect(fed).toBe(false);
    reader.ack();
    await feeding;
    expect(await reader.take(10)).toEqual([2, 3]);
  });

  it("after a rejoin drops what was not taken and never commits the old assignment's units", async () => {
    const handed: number[] = [];
    const consumer = new FakeConsumer();
    const reader = new KafkaReader<number>(
      fakeClient(consumer),
      {
        groupId: "g",
        topics: ["t"],
        fromBeginning: true,
        sessionTimeoutMs: 10_000,
        concurrency: 1,
        chunk: 2,
        handedOn: (count) => handed.push(count),
        log: quiet,
      },
      plain,
    );
    await reader.start();
    await consumer.feed(0, 3);
    expect(await reader.take(2)).toEqual([0, 1]);
    consumer.handlers?.joined(new Set(["t/0"]));
    // Records 2 and 3 were dropped (they come again), 0 and 1 are still processed.
    expect(handed).toEqual([2, 2, -2]);
    expect(reader.uncommitted).toBe(2);
    reader.ack();
    await settled();
    expect(consumer.offsets).toEqual([]);
    expect(reader.uncommitted).toBe(0);
    // The new assignment reads from the last commit again, and commits as usual.
    await consumer.feed(0, 1);
    expect(await reader.take(10)).toEqual([0, 1]);
    reader.ack();
    await settled();
    expect(consumer.offsets).toEqual(["2"]);
  });

  it("sends a commit that failed again with the next one", async () => {
    const { reader, consumer } = await started(plain, undefined, 1);
    consumer.failNext = 1;
    await consumer.feed(0, 1);
    await reader.take(1);
    reader.ack();
    await settled();
    expect(consumer.offsets).toEqual([]);
    expect(reader.uncommitted).toBe(2);
    await reader.take(1);
    reader.ack();
    await settled();
    expect(consumer.offsets).toEqual(["2"]);
    expect(reader.uncommitted).toBe(0);
  });
});
