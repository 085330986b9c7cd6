import { describe, expect, it } from "vitest";
import type { JsonValue, WeirRecord } from "@weir/domain";
import { useTestBroker } from "../kafka-common/test-broker";
import { DeliveryError } from "../plugin";
import { connectorSuite } from "../testing/connector-suite";
import { fakeSinkContext } from "../test-contexts";
import { kafkaSinkConfigSchema } from "./definition";
import { kafkaSink } from "./sink";

const kafka = useTestBroker();

connectorSuite({
  kind: "sink",
  type: "kafka-sink",
  invalidConfig: { config: { brokers: ["localhost:9092"], topic: "t", acks: 0 }, path: "acks" },
  async target() {
    const topic = await kafka.current.createTopic();
    return {
      config: { brokers: kafka.current.brokers, topic },
      consume: async (count) =>
        (await kafka.current.consume(topic, count)).map((message) => ({
          key: message.key?.toString() ?? "",
          value: JSON.parse(message.value?.toString() ?? "null") as JsonValue,
        })),
    };
  },
});

describe("kafka-sink", () => {
  const record = (n: number): WeirRecord => ({
    key: null,
    value: { order: { id: `o-${String(n)}` }, n },
    headers: { "x-trace": `t-${String(n)}` },
    timestamp: 1_700_000_000_000 + n,
  });

  it("keys by a field, keeps headers and timestamps, compresses, and writes batches", async () => {
    const topic = await kafka.current.createTopic(1);
    const config = kafkaSinkConfigSchema.parse({
      brokers: kafka.current.brokers,
      topic,
      key: { from: "field", path: "order.id" },
      compression: "gzip",
    });
    const sink = await kafkaSink.open(config, fakeSinkContext());
    await sink.write(record(1));
    await sink.writeBatch?.([record(2), record(3)]);
    await sink.close();

    const messages = await kafka.current.consume(topic, 3);
    expect(messages.map((m) => m.key?.toString())).toEqual(["o-1", "o-2", "o-3"]);
    expect(messages.map((m) => m.headers?.["x-trace"]?.toString())).toEqual(["t-1", "t-2", "t-3"]);
    expect(messages.map((m) => Number(m.timestamp))).toEqual([1, 2, 3].map((n) => 1_700_000_000_000 + n));
  });

  it("throws a DeliveryError when Kafka refuses the record", async () => {
    const topic = await kafka.current.createTopic(1);
    const config = kafkaSinkConfigSchema.parse({ brokers: kafka.current.brokers, topic });
    const sink = await kafkaSink.open(config, fakeSinkContext());
    // Over the broker's default message.max.bytes (1 MiB): refused, not retried.
    const tooLarge = { ...record(1), value: "x".repeat(2 * 1024 * 1024) };
    const error = await sink.write(tooLarge).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ attempts: 1 });
    await sink.write(record(2));
    await sink.close();
  });
});
