// A registry-encoded Kafka source's output port is typed by its subject's latest schema at save:
// an edge into a function whose input the schema's values cannot fit is refused with
// incompatible_types; a registry that is stopped or never answers leaves the port untyped, and
// the save goes through. The registry is the stand-in from @weir/schema-registry (no real
// registry installs here; that package's README says what was tried). Nothing is deployed, so no
// Kafka broker is needed.
import { createServer } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import type { FlowSpecInput, PortSchema } from "@weir/domain";
import { RegistryClient } from "@weir/schema-registry";
import { startStandInRegistry } from "@weir/schema-registry/testing";
import type { StandInRegistry } from "@weir/schema-registry/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TRPCError } from "@trpc/server";
import { caught, useTestApi } from "../../test/db";
import type { FlowValidationError } from "../errors";
import { containing } from "../../test/match";

const t = useTestApi();
const auth = { kind: "basic" as const, username: "weir", password: "registry-secret" };
let registry: StandInRegistry;

const orderSchema = {
  type: "record",
  name: "Order",
  namespace: "shop",
  fields: [
    { name: "id", type: "string" },
    { name: "amount", type: "double" },
  ],
};

const amountAs = (type: "string" | "number"): PortSchema => ({
  type: "object",
  properties: { amount: { type } },
  required: ["amount"],
});

/** kafka-source (registry profile `profile`, one topic) → function typed `input` → log. */
function flow(
  input: PortSchema,
  options: { profile?: string; topic?: string; name?: string } = {},
): FlowSpecInput {
  return {
    name: options.name ?? "typed by the registry",
    nodes: [
      {
        id: "orders",
        kind: "source",
        type: "kafka-source",
        config: {
          brokers: ["localhost:9092"],
          topics: [options.topic ?? "orders"],
          valueFormat: "registry",
          registry: options.profile ?? "registry",
        },
      },
      {
        id: "total",
        kind: "function",
        type: "function",
        config: { code: "export default (r) => r" },
        schemas: { input },
      },
      { id: "log", kind: "sink", type: "log" },
    ],
    edges: [
      { id: "e1", from: { node: "orders", port: "out" }, to: { node: "total" } },
      { id: "e2", from: { node: "total", port: "out" }, to: { node: "log" } },
    ],
  };
}

beforeAll(async () => {
  registry = await startStandInRegistry({ basicAuth: auth });
  await new RegistryClient({ url: registry.url, auth }).register("orders-value", {
    schemaType: "AVRO",
    schema: JSON.stringify(orderSchema),
    references: [],
  });
  // int64 decodes to a string of digits (proto3 JSON).
  await new RegistryClient({ url: registry.url, auth }).register("payments-value", {
    schemaType: "PROTOBUF",
    schema: 'syntax = "proto3"; package pay; message Payment { int64 amount = 1; }',
    references: [],
  });
  await t.api.connections.set({
    name: "registry",
    kind: "schema-registry",
    config: { url: registry.url, auth: { kind: "basic", username: auth.username } },
    secrets: { auth: { password: auth.password } },
  });
});
afterAll(() => registry.close());

const MESSAGE =
  "port 'out' of 'orders' sends { id: string; amount: number; } but the input of 'total' accepts " +
  '{ amount: string; }: a record such as {"id":"","amount":0.5} would be refused (at amount: must be string (got number 0.5))';

/** generator → function whose output is typed `output` → kafka-sink encoding Avro orders. */
function sinkFlow(output: PortSchema, withText: boolean, name: string): FlowSpecInput {
  return {
    name,
    nodes: [
      { id: "gen", kind: "source", type: "generator" },
      {
        id: "shape",
        kind: "function",
        type: "function",
        config: { code: "export default (r) => r" },
        schemas: { outputs: { out: output } },
      },
      {
        id: "orders",
        kind: "sink",
        type: "kafka-sink",
        config: {
          brokers: ["localhost:9092"],
          topic: "orders",
          valueFormat: "registry",
          registry: "registry",
          schema: { format: "avro", ...(withText ? { text: JSON.stringify(orderSchema) } : {}) },
        },
      },
    ],
    edges: [
      { id: "e1", from: { node: "gen", port: "out" }, to: { node: "shape" } },
      { id: "e2", from: { node: "shape", port: "out" }, to: { node: "orders" } },
    ],
  };
}

// Closed: the Avro encoder refuses a field the record does not have, so an open type could
// send one (the check says so, with such a record).
const order = (amount: "string" | "number", closed = true): PortSchema => ({
  type: "object",
  properties: { id: { type: "string" }, amount: { type: amount } },
  required: ["id", "amount"],
  ...(closed ? { additionalProperties: false } : {}),
});

describe("a registry-encoding kafka-sink", () => {
  it("takes as its input type the schema it writes with, from its config or the subject", async () => {
    for (const withText of [true, false]) {
      const refused = await t.api.flow.validate(
        sinkFlow(order("string"), withText, `sink ${String(withText)}`),
      );
      expect(refused.ok).toBe(false);
      expect(refused.problems).toEqual([
        expect.objectContaining({ path: ["edges", 1], code: "incompatible_types" }),
      ]);
      expect(refused.problems[0]?.message).toContain("the input of 'orders' accepts");
      expect(await t.api.flow.validate(sinkFlow(order("number"), withText, "fits"))).toEqual({
        ok: true,
        problems: [],
      });
      const open = await t.api.flow.validate(sinkFlow(order("number", false), withText, "open"));
      expect(open.problems[0]?.message).toContain("unexpected property");
    }
  });
});

/** A sink with schema text under a record-name strategy: its subject comes from the record's name. */
function recordNameSink(strategy: "record-name" | "topic-record-name"): FlowSpecInput {
  const spec = sinkFlow(order("number"), true, `by ${strategy}`);
  const sink = spec.nodes?.[2];
  if (!sink?.config) throw new Error("sinkFlow has a kafka-sink third");
  sink.config = {
    ...sink.config,
    schema: { format: "avro", subjectStrategy: strategy, text: JSON.stringify(orderSchema) },
  };
  return spec;
}

describe("a node's derived port types in a draft (flow.portTypes)", () => {
  it("types a function's input from the registry subject of the kafka-source feeding it", async () => {
    const spec = flow(amountAs("number"));
    const total = spec.nodes?.[1];
    if (total) delete total.schemas;
    const derived = await t.api.flow.portTypes({ spec, nodeId: "total" });
    expect(derived.inputFrom).toBe("edges");
    expect(derived.input).toEqual({
      type: "object",
      properties: { id: { type: "string" }, amount: { type: "number" } },
      required: ["id", "amount"],
      additionalProperties: false,
    });
    expect(derived.registry).toEqual([
      expect.objectContaining({
        nodeId: "orders",
        port: "output",
        profile: "registry",
        subject: "orders-value",
        from: "registry",
        status: "typed",
        version: 1,
        schemaType: "AVRO",
        reason: null,
      }),
    ]);
    expect(derived.registry[0]?.schemaId).toBeGreaterThan(0);
    expect(derived.notes).toEqual([]);
    // The node's own input schema wins over what the edges send.
    const declared = await t.api.flow.portTypes({ spec: flow(amountAs("string")), nodeId: "total" });
    expect(declared).toMatchObject({ inputFrom: "node", input: amountAs("string") });
  });

  it("shows a source's own type with its subject and version, or why it has none", async () => {
    const typed = await t.api.flow.portTypes({ spec: flow(amountAs("number")), nodeId: "orders" });
    expect(typed.input).toBeNull();
    expect(Object.keys(typed.outputs)).toEqual(["out"]);
    expect(typed.registry[0]).toMatchObject({ subject: "orders-value", version: 1, status: "typed" });

    const missing = await t.api.flow.portTypes({
      spec: flow(amountAs("number"), { topic: "refunds" }),
      nodeId: "orders",
    });
    expect(missing.outputs).toEqual({});
    expect(missing.registry).toEqual([
      expect.objectContaining({
        subject: "refunds-value",
        status: "subject_missing",
        schema: null,
        reason: "the schema registry 'registry' has no subject 'refunds-value'",
      }),
    ]);
    expect(missing.notes).toEqual([
      {
        path: ["nodes", 0, "config", "registry"],
        pathString: "nodes[0].config.registry",
        code: "registry_type_skipped",
        message:
          "port 'out' of 'orders' is untyped, so its edges were not type-checked: the schema registry 'registry' has no subject 'refunds-value'",
      },
    ]);
    await expect(
      t.api.flow.portTypes({ spec: flow(amountAs("number")), nodeId: "nope" }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("names a sink's subject by the record's name under the record-name strategies", async () => {
    for (const [strategy, subject] of [
      ["record-name", "shop.Order"],
      ["topic-record-name", "orders-shop.Order"],
    ] as const) {
      const derived = await t.api.flow.portTypes({ spec: recordNameSink(strategy), nodeId: "orders" });
      expect(derived.input).toEqual(order("number"));
      expect(derived.registry).toEqual([
        expect.objectContaining({ subject, from: "config", status: "typed", version: null }),
      ]);
      // The text types the sink: an upstream type it cannot take is refused at its edge.
      const spec = recordNameSink(strategy);
      const shape = spec.nodes?.[1];
      if (shape) shape.schemas = { outputs: { out: order("string") } };
      const refused = await t.api.flow.validate(spec);
      expect(refused.problems).toEqual([
        expect.objectContaining({ path: ["edges", 1], code: "incompatible_types" }),
      ]);
    }
  });
});

describe("a registry-typed kafka-source", () => {
  it("refuses an edge the subject's schema cannot fit, in validate and create, saving nothing", async () => {
    expect(await t.api.flow.validate(flow(amountAs("string")))).toEqual({
      ok: false,
      problems: [
        { path: ["edges", 0], pathString: "edges[0]", message: MESSAGE, code: "incompatible_types" },
      ],
    });
    const before = await t.db.flowVersion.count();
    await expect(t.api.flow.create(flow(amountAs("string")))).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: containing(`edges[0]: ${MESSAGE}`),
    });
    expect(await t.db.flowVersion.count()).toBe(before);
    // The latest version was asked for, with the profile's stored password (else a 401: untyped).
    expect(registry.requests).toContain("GET /subjects/orders-value/versions/latest");
  });

  it("saves an edge the schema fits, and refuses the same update later", async () => {
    const { id } = await t.api.flow.create(flow(amountAs("number")));
    const error = (await caught(() =>
      t.api.flow.update({ id, spec: flow(amountAs("string")) }),
    )) as TRPCError & {
      cause: FlowValidationError;
    };
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.cause.problems).toEqual([
      { path: ["edges", 0], message: MESSAGE, code: "incompatible_types" },
    ]);
    expect((await t.api.flow.get({ id })).version).toBe(1);
  });

  it("types a Protobuf subject too: an int64 field is a string", async () => {
    await expect(t.api.flow.create(flow(amountAs("number"), { topic: "payments" }))).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: containing("edges[0]: port 'out' of 'orders' sends { amount: string; }"),
    });
    await expect(t.api.flow.create(flow(amountAs("string"), { topic: "payments" }))).resolves.toMatchObject({
      version: 1,
    });
  });

  it("leaves the port untyped for a subject the registry does not have, or a profile that does not exist, and says so in a note", async () => {
    const note = (reason: string) => ({
      path: ["nodes", 0, "config", "registry"],
      pathString: "nodes[0].config.registry",
      code: "registry_type_skipped",
      message: `port 'out' of 'orders' is untyped, so its edges were not type-checked: ${reason}`,
    });
    const subjectMissing = note("the schema registry 'registry' has no subject 'refunds-value'");
    await expect(t.api.flow.create(flow(amountAs("string"), { topic: "refunds" }))).resolves.toMatchObject({
      version: 1,
      notes: [subjectMissing],
    });
    expect(await t.api.flow.validate(flow(amountAs("string"), { topic: "refunds" }))).toEqual({
      ok: true,
      problems: [],
      notes: [subjectMissing],
    });
    const { id } = await t.api.flow.create(flow(amountAs("number")));
    await expect(
      t.api.flow.update({ id, spec: flow(amountAs("string"), { profile: "never-made" }) }),
    ).resolves.toMatchObject({
      version: 2,
      notes: [note("there is no schema-registry connection profile 'never-made'")],
    });
    // A problem and a note together: the note comes back beside the refusal in validate.
    const both = flow(amountAs("string"), { topic: "refunds" });
    both.name = "";
    const refused = await t.api.flow.validate(both);
    expect(refused).toMatchObject({ ok: false, notes: [subjectMissing] });
    expect(refused.problems).toEqual([expect.objectContaining({ path: ["name"] })]);
  });

  it("saves untyped when the registry never answers (after its 2 s limit)", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    await t.api.connections.set({
      name: "registry-silent",
      kind: "schema-registry",
      config: { url: `http://127.0.0.1:${String(port)}` },
    });
    try {
      const started = performance.now();
      await expect(
        t.api.flow.create(flow(amountAs("string"), { profile: "registry-silent", name: "silent" })),
      ).resolves.toMatchObject({
        version: 1,
        notes: [
          expect.objectContaining({
            code: "registry_type_skipped",
            message: containing("the schema registry 'registry-silent' did not answer within 2000 ms"),
          }),
        ],
      });
      // It waited for the registry (so it did ask) and then went on.
      expect(sockets.length).toBeGreaterThan(0);
      expect(performance.now() - started).toBeGreaterThanOrEqual(1_900);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("saves untyped once the registry is stopped", async () => {
    await registry.close();
    await expect(
      t.api.flow.create(flow(amountAs("string"), { name: "registry down" })),
    ).resolves.toMatchObject({
      version: 1,
      notes: [
        expect.objectContaining({
          path: ["nodes", 0, "config", "registry"],
          code: "registry_type_skipped",
          message: containing("the schema registry 'registry' could not be reached"),
        }),
      ],
    });
    const derived = await t.api.flow.portTypes({ spec: flow(amountAs("string")), nodeId: "orders" });
    expect(derived.registry).toEqual([
      expect.objectContaining({ status: "unreachable", schema: null, version: null }),
    ]);
    // afterAll closes it again: a second close must not throw.
    registry = { ...registry, close: () => Promise.resolve() };
  });
});
