// kafka-sink encoding and kafka-source decoding through a registry, on the real broker. The
// registry is the stand-in (`@weir/schema-registry/testing`): no real registry installs here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonValue, WeirRecord } from "@weir/domain";
import { frame } from "@weir/schema-registry";
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

const kafka = useTestBroker();
let registry: StandInRegistry;
beforeAll(async () => {
  registry = await startStandInRegistry();
});
afterAll(() => registry.close());

function withProfile<T extends FakeSinkContext | FakeSourceContext>(ctx: T): T {
  ctx.connection = (name, kind) =>
    name === "reg" && kind === "schema-registry"
      ? Promise.resolve({ url: registry.url })
      : Promise.reject(new Error(`connection profile '${name}' not found`));
  return ctx;
}

const user = (fields: object[]) =>
  JSON.stringify({ type: "record", name: "User", namespace: "acme", fields });
const userV1 = user([
  { name: "name", type: "string" },
  { name: "at", type: { type: "long", logicalType: "timestamp-millis" } },
]);
const userV2 = user([
  { name: "name", type: "string" },
  { name: "at", type: { type: "long", logicalType: "timestamp-millis" } },
  { name: "email", type: ["null", "string"], default: null },
]);
const userBroken = user([{ name: "name", type: "int" }]);

async function openSink(topic: string, schema: Record<string, unknown>) {
  const config = kafkaSinkConfigSchema.parse({
    brokers: kafka.current.brokers,
    topic,
    valueFormat: "registry",
    registry: "reg",
    schema,
  });
  return kafkaSink.open(config, withProfile(fakeSinkContext()));
}

function record(value: JsonValue): WeirRecord {
  return { key: "k", value, headers: {}, timestamp: 1_700_000_000_000 };
}

async function readAll(topic: string, count: number) {
  const ctx = withProfile(fakeSourceContext());
  const deadLetters: { record: WeirRecord; error: string }[] = [];
  ctx.deadLetter = (dead, error) => {
    deadLetters.push({ record: dead, error });
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
    () => (ctx.emitted.length + deadLetters.length >= count ? true : undefined),
    `${String(count)} records`,
  );
  ctx.abort();
  await running;
  return { values: ctx.emitted.map((r) => r.value), deadLetters };
}

describe("registry-encoded values through kafka-sink and kafka-source", () => {
  it("round-trips Avro, Protobuf and JSON Schema", async () => {
    const cases: { schema: Record<string, unknown>; values: JsonValue[] }[] = [
      { schema: { format: "avro", text: userV1 }, values: [{ name: "Ada", at: "2024-05-01T12:00:00.000Z" }] },
      {
        schema: {
          format: "protobuf",
          text: 'syntax = "proto3"; package acme; import "google/protobuf/timestamp.proto"; message Order { int64 id = 1; google.protobuf.Timestamp at = 2; }',
        },
        values: [{ id: "9007199254740993", at: "2024-05-01T12:00:00Z" }],
      },
      {
        schema: {
          format: "json-schema",
          text: JSON.stringify({ type: "object", properties: { n: { type: "integer" } }, required: ["n"] }),
        },
        values: [{ n: 1 }, { n: 2 }],
      },
    ];
    for (const { schema, values } of cases) {
      const topic = await kafka.current.createTopic(1);
      const sink = await openSink(topic, schema);
      await sink.writeBatch?.(values.map(record));
      await sink.close();
      const [first] = await kafka.current.consume(topic, 1);
      expect(first?.value?.[0], `${String(schema.format)} is registry-framed`).toBe(0);
      expect((await readAll(topic, values.length)).values).toEqual(values);
    }
  });

  it("dead-letters an unknown schema id and a corrupted payload with the reason and the raw bytes", async () => {
    const topic = await kafka.current.createTopic(1);
    const sink = await openSink(topic, { format: "avro", text: userV1 });
    await sink.write(record({ name: "good", at: "2024-05-01T12:00:00.000Z" }));
    await sink.close();
    const [good] = await kafka.current.consume(topic, 1);
    const goodBytes = good?.value ?? Buffer.alloc(0);
    const unknown = frame(424242, Buffer.from([0x06, 0x41, 0x64, 0x61]));
    // The good record's header with its payload cut short.
    const corrupted = goodBytes.subarray(0, 8);
    await kafka.current.produce(topic, [{ value: unknown }, { value: corrupted }, { value: goodBytes }]);
    const { values, deadLetters } = await readAll(topic, 4);
    expect(values).toEqual([
      { name: "good", at: "2024-05-01T12:00:00.000Z" },
      { name: "good", at: "2024-05-01T12:00:00.000Z" },
    ]);
    expect(deadLetters.map((d) => d.error)).toEqual([
      expect.stringMatching(
        new RegExp(`^undecodable value at ${topic}/0@1: schema id 424242 is not in the registry`),
      ),
      expect.stringMatching(
        new RegExp(`^undecodable value at ${topic}/0@2: payload does not decode with schema id \\d+`),
      ),
    ]);
    expect(deadLetters.map((d) => d.record.value)).toEqual([
      unknown.toString("base64"),
      corrupted.toString("base64"),
    ]);
    expect(deadLetters[0]?.record.headers["content-encoding"]).toBe("base64");
  });

  it("takes a compatible new version mid-stream and refuses an incompatible one at deploy", async () => {
    const topic = await kafka.current.createTopic(1);
    const v1 = await openSink(topic, { format: "avro", text: userV1 });
    await v1.write(record({ name: "before", at: "2024-05-01T12:00:00.000Z" }));
    await v1.close();
    const v2 = await openSink(topic, { format: "avro", text: userV2 });
    await v2.write(record({ name: "after", at: "2024-05-01T12:00:01.000Z", email: "a@b.c" }));
    await v2.close();
    expect((await readAll(topic, 2)).values).toEqual([
      { name: "before", at: "2024-05-01T12:00:00.000Z" },
      { name: "after", at: "2024-05-01T12:00:01.000Z", email: "a@b.c" },
    ]);
    await expect(openSink(topic, { format: "avro", text: userBroken })).rejects.toThrow(
      `node 'node': the schema is not compatible with the latest version of subject '${topic}-value'`,
    );
    await expect(
      openSink(topic, { format: "avro", text: userV2.replace('"email"', '"phone"'), autoRegister: false }),
    ).rejects.toThrow("and registering new versions is off");
  });

  it("refuses a value that does not fit the schema, naming the path, so the engine dead-letters it", async () => {
    const topic = await kafka.current.createTopic(1);
    const sink = await openSink(topic, { format: "avro", text: userV1 });
    // encodeRecord throws before anything is sent, as for the other unencodable records.
    const writing = Promise.resolve().then(() =>
      sink.write(record({ name: 7, at: "2024-05-01T12:00:00.000Z" })),
    );
    await expect(writing).rejects.toThrow("$.name: expected a string, got 7");
    await sink.close();
  });

  it("says when valueFormat and the registry profile do not go together", () => {
    const base = { brokers: ["localhost:9092"], topics: ["t"] };
    expect(
      kafkaSourceConfigSchema.safeParse({ ...base, valueFormat: "registry" }).error?.issues[0],
    ).toMatchObject({ path: ["registry"] });
    expect(kafkaSourceConfigSchema.safeParse({ ...base, registry: "reg" }).error?.issues[0]).toMatchObject({
      path: ["valueFormat"],
    });
    expect(
      kafkaSinkConfigSchema.safeParse({
        brokers: ["localhost:9092"],
        topic: "t",
        valueFormat: "registry",
        registry: "reg",
      }).error?.issues[0],
    ).toMatchObject({ path: ["schema"] });
  });
});
