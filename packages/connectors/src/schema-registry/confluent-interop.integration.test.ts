// Interop with Confluent's own client (confluent-kafka for Python, with its Avro, Protobuf and JSON
// Schema serdes; .ci/run installs it): records it produced are read by kafka-source, and records
// kafka-sink wrote are read by it. Real broker; the registry is the stand-in (no real one installs
// here), so these tests pin the wire format and the mapping, not a registry's behaviour.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonValue, WeirRecord } from "@weir/domain";
import { startStandInRegistry } from "@weir/schema-registry/testing";
import type { StandInRegistry } from "@weir/schema-registry/testing";
import { useTestBroker } from "../kafka-common/test-broker";
import { kafkaSinkConfigSchema } from "../kafka-sink/definition";
import { kafkaSink } from "../kafka-sink/sink";
import { kafkaSourceConfigSchema } from "../kafka-source/definition";
import { kafkaSource } from "../kafka-source/source";
import { waitFor } from "../testing/connector-suite";
import { fakeSinkContext, fakeSourceContext } from "../test-contexts";
import type { FakeSinkContext, FakeSourceContext } from "../test-contexts";

const script = fileURLToPath(new URL("./confluent-client.py", import.meta.url));
const kafka = useTestBroker();
let registry: StandInRegistry;
beforeAll(async () => {
  registry = await startStandInRegistry();
});
afterAll(() => registry.close());

function confluent(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("python3", [script, ...args], { timeout: 90_000 }, (error, stdout, stderr) => {
      if (error)
        reject(new Error(`confluent-client.py ${args.join(" ")} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function withProfile<T extends FakeSinkContext | FakeSourceContext>(ctx: T): T {
  ctx.connection = (name, kind) =>
    name === "reg" && kind === "schema-registry"
      ? Promise.resolve({ url: registry.url })
      : Promise.reject(new Error(`connection profile '${name}' not found`));
  return ctx;
}

async function weirReads(topic: string, count: number): Promise<JsonValue[]> {
  const ctx = withProfile(fakeSourceContext());
  const dead: string[] = [];
  ctx.deadLetter = (_record, error) => {
    dead.push(error);
    return Promise.resolve();
  };
  const config = kafkaSourceConfigSchema.parse({
    brokers: kafka.current.brokers,
    topics: [topic],
    fromBeginning: "earliest",
    valueFormat: "registry",
    registry: "reg",
  });
  const running = kafkaSource.run(config, ctx);
  await waitFor(
    () => (ctx.emitted.length + dead.length >= count ? true : undefined),
    `${String(count)} records`,
  );
  ctx.abort();
  await running;
  expect(dead).toEqual([]);
  return ctx.emitted.map((record) => record.value as JsonValue);
}

async function weirWrites(
  topic: string,
  schema: Record<string, unknown>,
  values: JsonValue[],
): Promise<void> {
  const config = kafkaSinkConfigSchema.parse({
    brokers: kafka.current.brokers,
    topic,
    valueFormat: "registry",
    registry: "reg",
    schema,
  });
  const sink = await kafkaSink.open(config, withProfile(fakeSinkContext()));
  const records: WeirRecord[] = values.map((value) => ({ key: "k", value, headers: {}, timestamp: 1 }));
  await sink.writeBatch?.(records);
  await sink.close();
}

const avroSchema = JSON.stringify({
  type: "record",
  name: "Payment",
  namespace: "interop",
  fields: [
    { name: "id", type: "long" },
    { name: "payer", type: "string" },
    { name: "note", type: ["null", "string"], default: null },
    { name: "amount", type: { type: "bytes", logicalType: "decimal", precision: 9, scale: 2 } },
    { name: "at", type: { type: "long", logicalType: "timestamp-millis" } },
    { name: "raw", type: "bytes" },
    { name: "status", type: { type: "enum", name: "Status", symbols: ["NEW", "PAID"] } },
    { name: "tags", type: { type: "array", items: "string" } },
  ],
});
const payment = {
  id: 1,
  payer: "Ada",
  note: null,
  amount: "12.50",
  at: "2024-05-01T12:00:00.123Z",
  raw: "AAH/",
  status: "PAID",
  tags: ["a", "b"],
};

describe("interop with Confluent's Python client", () => {
  it("kafka-source reads what confluent-kafka's Avro, Protobuf and JSON Schema serializers produced", async () => {
    const expected: Record<string, JsonValue[]> = {
      avro: [
        payment,
        {
          id: "9007199254740993",
          payer: "Grace",
          note: "second",
          amount: "-0.07",
          at: "1999-12-31T23:59:59.000Z",
          raw: "",
          status: "NEW",
          tags: [],
        },
      ],
      protobuf: [
        { order_id: "9007199254740993", customer: "Ada", tags: ["x"], at: "2024-05-01T12:00:00.500Z" },
        { order_id: "2", customer: "", tags: [], at: "1970-01-01T00:00:00Z" },
      ],
      json: [
        { sensor: "s-1", value: 21.5 },
        { sensor: "s-2", value: -3 },
      ],
    };
    for (const [format, values] of Object.entries(expected)) {
      const topic = await kafka.current.createTopic(1);
      await confluent(["produce", format, kafka.current.brokers.join(","), registry.url, topic]);
      expect(await weirReads(topic, values.length), format).toEqual(values);
    }
  });

  it("confluent-kafka's deserializers read what kafka-sink wrote", async () => {
    const cases: { format: string; schema: Record<string, unknown>; values: JsonValue[]; read: unknown[] }[] =
      [
        { format: "avro", schema: { format: "avro", text: avroSchema }, values: [payment], read: [payment] },
        {
          format: "protobuf",
          schema: {
            format: "protobuf",
            text: 'syntax = "proto3"; package interop; import "google/protobuf/timestamp.proto"; message Order { int64 order_id = 1; string customer = 2; repeated string tags = 3; google.protobuf.Timestamp at = 4; }',
          },
          values: [{ order_id: "7", customer: "Ada", tags: ["x", "y"], at: "2024-05-01T12:00:00.500Z" }],
          read: [{ order_id: "7", customer: "Ada", tags: ["x", "y"], at: "2024-05-01T12:00:00.500Z" }],
        },
        {
          format: "json",
          schema: { format: "json-schema", text: JSON.stringify({ type: "object", required: ["sensor"] }) },
          values: [{ sensor: "s-9", value: 1 }],
          read: [{ sensor: "s-9", value: 1 }],
        },
      ];
    for (const { format, schema, values, read } of cases) {
      const topic = await kafka.current.createTopic(1);
      await weirWrites(topic, schema, values);
      const out = await confluent([
        "consume",
        format,
        kafka.current.brokers.join(","),
        registry.url,
        topic,
        String(values.length),
      ]);
      expect(JSON.parse(out), format).toEqual(read);
    }
  });
});
