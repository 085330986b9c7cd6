import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { WeirRecord } from "@weir/domain";
import { useTestBroker } from "../kafka-common/test-broker";
import { connectorSuite, waitFor } from "../testing/connector-suite";
import { fakeSourceContext } from "../test-contexts";
import { kafkaSourceConfigSchema } from "./definition";
import { kafkaSource } from "./source";

const kafka = useTestBroker();

connectorSuite({
  kind: "source",
  type: "kafka-source",
  invalidConfig: { config: { brokers: ["localhost:9092"], topics: [] }, path: "topics" },
  async target() {
    const topic = await kafka.current.createTopic();
    return {
      config: { brokers: kafka.current.brokers, topics: [topic], fromBeginning: "earliest" },
      produce: (records) =>
        kafka.current.produce(
          topic,
          records.map((record) => ({ key: record.key, value: JSON.stringify(record.value) })),
        ),
    };
  },
});

describe("kafka-source", () => {
  async function topicWith(values: string[]): Promise<string> {
    const topic = await kafka.current.createTopic(1);
    await kafka.current.produce(
      topic,
      values.map((value) => ({ key: "k", value, headers: { "x-trace": "t" } })),
    );
    return topic;
  }

  it("dead-letters a record with bad JSON and goes on with the rest", async () => {
    const topic = await topicWith(['{"n":1}', "{oops", '{"n":3}']);
    const ctx = fakeSourceContext();
    const deadLetters: { record: WeirRecord; error: string }[] = [];
    ctx.deadLetter = (record, error) => {
      deadLetters.push({ record, error });
      return Promise.resolve();
    };
    const config = kafkaSourceConfigSchema.parse({
      brokers: kafka.current.brokers,
      topics: [topic],
      fromBeginning: "earliest",
    });
    const running = kafkaSource.run(config, ctx);
    await waitFor(() => (ctx.emitted.length === 2 ? true : undefined), "two good records");
    expect(ctx.emitted.map((record) => record.value)).toEqual([{ n: 1 }, { n: 3 }]);
    expect(ctx.emitted[0]).toMatchObject({ key: "k", headers: { "x-trace": "t" } });
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]?.record.value).toBe("{oops");
    expect(deadLetters[0]?.error).toMatch(new RegExp(`^bad JSON at ${topic}/0@1: `));
    ctx.abort();
    await running;
  });

  it("logs the bad record as an error when the engine offers no dead-letter store", async () => {
    const topic = await topicWith(["{oops", '"fine"']);
    const errors: string[] = [];
    const ctx = fakeSourceContext();
    ctx.log = { ...ctx.log, error: (message) => errors.push(message) };
    const config = kafkaSourceConfigSchema.parse({
      brokers: kafka.current.brokers,
      topics: [topic],
      fromBeginning: "earliest",
    });
    const running = kafkaSource.run(config, ctx);
    await waitFor(() => (ctx.emitted.length === 1 ? true : undefined), "the good record");
    expect(errors.some((message) => message.startsWith("dead letter: bad JSON"))).toBe(true);
    ctx.abort();
    await running;
  });

  it("commits only what emit accepted: a stop while emit waits replays those records", async () => {
    const topic = await topicWith(["1", "2", "3"]);
    const groupId = `weir-test-${randomUUID()}`;
    const config = kafkaSourceConfigSchema.parse({
      brokers: kafka.current.brokers,
      topics: [topic],
      groupId,
      fromBeginning: "earliest",
    });

    // Downstream never accepts: emit hangs until the deployment stops.
    const stuck = fakeSourceContext();
    let offered = 0;
    stuck.emit = (records) => {
      offered += records.length;
      return new Promise(() => undefined);
    };
    const first = kafkaSource.run(config, stuck);
    await waitFor(() => (offered === 3 ? true : undefined), "records offered");
    stuck.abort();
    await first;

    // The same group gets them again, accepts them, and commits.
    const second = fakeSourceContext();
    const again = kafkaSource.run(config, second);
    await waitFor(() => (second.emitted.length === 3 ? true : undefined), "records replayed");
    second.abort();
    await again;

    // Nothing is replayed after a commit; only what was produced since arrives.
    await kafka.current.produce(topic, [{ key: "k", value: "4" }]);
    const third = fakeSourceContext();
    const resumed = kafkaSource.run(config, third);
    await waitFor(() => (third.emitted.length >= 1 ? true : undefined), "the new record");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(third.emitted.map((record) => record.value)).toEqual([4]);
    third.abort();
    await resumed;
  });

  it("returns at once when started after the stop", async () => {
    const ctx = fakeSourceContext();
    ctx.abort();
    const config = kafkaSourceConfigSchema.parse({
      brokers: kafka.current.brokers,
      topics: ["never-created"],
    });
    await expect(kafkaSource.run(config, ctx)).resolves.toBeUndefined();
  });
});
