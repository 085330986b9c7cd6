// kafka (Avro) → js → kafka (Avro) through a real engine process, with Confluent's own Python
// client (confluent-kafka's AvroSerializer / AvroDeserializer, a client nobody here wrote) producing
// the input and reading the output. The registry is the stand-in from @weir/schema-registry: no
// real registry installs on these machines (that package's README says what was tried).
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
import { RegistryClient } from "@weir/schema-registry";
import { startStandInRegistry } from "@weir/schema-registry/testing";
import type { StandInRegistry } from "@weir/schema-registry/testing";
// Brings in the ProvidedContext augmentation that types inject("kafkaBrokers").
import type {} from "@weir/testkit/kafka-setup";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { startKafkaEngine } from "../test/kafka-engines";
import { useTestDatabase } from "../test/test-database";

const script = fileURLToPath(
  new URL("../../../packages/connectors/src/schema-registry/confluent-client.py", import.meta.url),
);
const t = useTestDatabase();
let registry: StandInRegistry;
let brokers: string;

beforeAll(async () => {
  brokers = inject("kafkaBrokers");
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

/** JSON.parse, keeping integers beyond 2^53 as their digits (Python prints them exactly). */
function parseExact(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value)
      ? (context?.source ?? value)
      : value,
  );
}

// The schema confluent-client.py registers for its Avro records (interop.Payment).
const paymentSchema = JSON.stringify({
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

function registryFlow(input: string, output: string, profile: string): FlowSpecInput {
  const code = `export default (r) => ({ ...r, value: { ...r.value, payer: r.value.payer.toUpperCase() } })`;
  const kafka = { brokers: brokers.split(","), valueFormat: "registry", registry: profile };
  return {
    name: "avro through a flow",
    nodes: [
      {
        id: "src",
        kind: "source",
        type: "kafka-source",
        config: { ...kafka, topics: [input], fromBeginning: "earliest" },
      },
      { id: "fn", kind: "function", type: "function", config: { code } },
      {
        id: "out",
        kind: "sink",
        type: "kafka-sink",
        config: { ...kafka, topic: output, schema: { format: "avro", text: paymentSchema } },
      },
    ],
    edges: [
      { id: "e1", from: { node: "src", port: "out" }, to: { node: "fn" } },
      { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
    ],
  };
}

// In process, and on the Kafka transport (its input awaits the reader's `prepare` before decoding);
// the output is read one past its count, so a duplicate would show.
describe.each([
  ["in-process", () => startEngine(t.url)],
  ["kafka", () => startKafkaEngine(t.url, brokers, `registry-${randomUUID()}`)],
] as const)("registry-encoded Avro through a flow, %s transport", (_transport, start) => {
  let engine: EngineProcess | undefined;
  beforeAll(async () => {
    engine = await start();
  });
  afterAll(async () => {
    await engine?.stop();
  });

  it("decodes what confluent-kafka produced, transforms it, and writes what confluent-kafka reads", async () => {
    const input = `weir-in-${randomUUID()}`;
    const output = `weir-out-${randomUUID()}`;
    await confluent(["produce", "avro", brokers, registry.url, input]);
    const profile = `registry-${randomUUID()}`;
    await t.api.connections.set({ name: profile, kind: "schema-registry", config: { url: registry.url } });
    const flow = await t.api.flow.create(registryFlow(input, output, profile));
    await t.api.deployment.deploy({ flowId: flow.id });

    const read = await eventually(
      async () => {
        const values = parseExact(
          await confluent(["consume", "avro", brokers, registry.url, output, "2"]),
        ) as unknown[];
        return values.length === 2 ? values : undefined;
      },
      "two records on the output topic",
      90_000,
    );
    expect(read).toEqual([
      {
        id: 1,
        payer: "ADA",
        note: null,
        amount: "12.50",
        at: "2024-05-01T12:00:00.123Z",
        raw: "AAH/",
        status: "PAID",
        tags: ["a", "b"],
      },
      {
        id: "9007199254740993",
        payer: "GRACE",
        note: "second",
        amount: "-0.07",
        at: "1999-12-31T23:59:59.000Z",
        raw: "",
        status: "NEW",
        tags: [],
      },
    ]);
    await t.api.deployment.stop({ flowId: flow.id });
  });

  it("fails the deployment with the registry's reason when the sink's schema is incompatible", async () => {
    const output = `weir-out-${randomUUID()}`;
    await new RegistryClient({ url: registry.url }).register(`${output}-value`, {
      schemaType: "AVRO",
      schema: paymentSchema,
      references: [],
    });
    const profile = `registry-${randomUUID()}`;
    await t.api.connections.set({ name: profile, kind: "schema-registry", config: { url: registry.url } });
    // payer becomes an int: data written with the latest version cannot be read with it.
    const incompatible = paymentSchema.replace(
      '{"name":"payer","type":"string"}',
      '{"name":"payer","type":"int"}',
    );
    expect(incompatible).not.toBe(paymentSchema);
    const spec = registryFlow(`weir-in-${randomUUID()}`, output, profile);
    const nodes = spec.nodes?.map((node) =>
      node.id === "out"
        ? { ...node, config: { ...node.config, schema: { format: "avro", text: incompatible } } }
        : node,
    );
    const flow = await t.api.flow.create({ ...spec, nodes });
    await t.api.deployment.deploy({ flowId: flow.id });
    const status = await eventually(async () => {
      const latest = await t.api.deployment.status({ flowId: flow.id });
      return latest?.actualState === "failed" ? latest : undefined;
    }, "a failed deployment");
    expect(status.error).toContain(
      `node 'out': the schema is not compatible with the latest version of subject '${output}-value'`,
    );
  });
});
