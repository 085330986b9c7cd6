import avro from "avsc";
import { compatible, validateValue } from "@weir/domain";
import { describe, expect, it } from "vitest";
import type { PortSchema } from "@weir/domain";
import { avroCodec } from "./avro";
import { protobufCodec } from "./protobuf";
import { portSchemaOf } from "./port-schema";

const address = { type: "record", name: "Address", fields: [{ name: "city", type: "string" }] };

const order = {
  type: "record",
  name: "Order",
  namespace: "shop",
  fields: [
    { name: "id", type: "long" },
    { name: "note", type: ["null", "string"], default: null },
    { name: "qty", type: ["int", "string"] },
    { name: "raw", type: "bytes" },
    { name: "price", type: { type: "bytes", logicalType: "decimal", precision: 9, scale: 2 } },
    { name: "at", type: { type: "long", logicalType: "timestamp-millis" } },
    { name: "day", type: { type: "int", logicalType: "date" } },
    { name: "status", type: { type: "enum", name: "Status", symbols: ["NEW", "PAID"] } },
    { name: "tags", type: { type: "array", items: "string" } },
    { name: "attrs", type: { type: "map", values: "double" } },
    { name: "hash", type: { type: "fixed", name: "Hash", size: 4 } },
    { name: "ship", type: ["null", address] },
    { name: "billing", type: ["null", "Address"], default: null },
    { name: "ratio", type: "float" },
    { name: "paid", type: "boolean", default: false },
  ],
};

describe("portSchemaOf (Avro)", () => {
  it("maps a record field by field, as the decoder writes it", () => {
    const schema = portSchemaOf("AVRO", JSON.stringify(order));
    expect(schema).toEqual({
      type: "object",
      properties: {
        id: { type: "integer" },
        note: { anyOf: [{ type: "null" }, { type: "string" }] },
        qty: { anyOf: [{ type: "integer" }, { type: "string" }] },
        raw: { type: "string" },
        price: { type: "string" },
        at: { type: "string" },
        day: { type: "string" },
        status: { type: "string", enum: ["NEW", "PAID"] },
        tags: { type: "array", items: { type: "string" } },
        attrs: { type: "object", additionalProperties: { type: "number" } },
        hash: { type: "string" },
        ship: {
          anyOf: [
            { type: "null" },
            {
              type: "object",
              properties: { city: { type: "string" } },
              required: ["city"],
              additionalProperties: false,
            },
          ],
        },
        billing: {
          anyOf: [
            { type: "null" },
            {
              type: "object",
              properties: { city: { type: "string" } },
              required: ["city"],
              additionalProperties: false,
            },
          ],
        },
        ratio: { type: "number" },
        paid: { type: "boolean" },
      },
      // The decoder writes every field, nullable and defaulted ones included.
      required: order.fields.map((f) => f.name),
      additionalProperties: false,
    });
  });

  it("leaves fields with a default out of `required` for what the encoder accepts", () => {
    const schema = portSchemaOf("AVRO", JSON.stringify(order), { direction: "encodable" });
    expect(schema?.required).toEqual(order.fields.filter((f) => !("default" in f)).map((f) => f.name));
  });

  it("types every value the decoder produces for random records", () => {
    // Plain avsc writes random values of the schema (finite doubles, longs within ±2^53: the
    // range the type describes, see the exceptions below); Weir's decoder maps them to JSON.
    const plain = avro.Type.forSchema(order as avro.Schema, { wrapUnions: "always" });
    const codec = avroCodec(JSON.stringify(order));
    const schema = portSchemaOf("AVRO", JSON.stringify(order));
    if (!schema) throw new Error("no port type for the Avro schema");
    for (let i = 0; i < 300; i++) {
      const written = plain.random() as unknown as Record<string, unknown>;
      // avsc's random timestamps and dates run past what an ISO date can say; keep them in range.
      written.at = Math.floor(Math.random() * 4e12);
      written.day = Math.floor(Math.random() * 50_000);
      const decoded = codec.decode(plain.toBuffer(written));
      expect(validateValue(schema, decoded), JSON.stringify(decoded)).toEqual([]);
    }
  });

  it("documents the values outside the type: NaN and longs beyond 2^53 decode to strings", () => {
    const schema = portSchemaOf(
      "AVRO",
      JSON.stringify({
        type: "record",
        name: "Edge",
        fields: [
          { name: "big", type: "long" },
          { name: "ratio", type: "double" },
        ],
      }),
    );
    const codec = avroCodec(
      JSON.stringify({
        type: "record",
        name: "Edge",
        fields: [
          { name: "big", type: "long" },
          { name: "ratio", type: "double" },
        ],
      }),
    );
    const decoded = codec.decode(codec.encode({ big: "9223372036854775807", ratio: "NaN" }));
    expect(decoded).toEqual({ big: "9223372036854775807", ratio: "NaN" });
    expect(validateValue(schema ?? {}, decoded).map((v) => v.path)).toEqual([["big"], ["ratio"]]);
  });

  it("maps a recursive record's inner reference to any value", () => {
    const node = {
      type: "record",
      name: "Node",
      fields: [
        { name: "label", type: "string" },
        { name: "next", type: ["null", "Node"] },
      ],
    };
    expect(portSchemaOf("AVRO", JSON.stringify(node))).toEqual({
      type: "object",
      properties: { label: { type: "string" }, next: { anyOf: [{ type: "null" }, {}] } },
      required: ["label", "next"],
      additionalProperties: false,
    });
  });

  it("resolves named types from referenced schemas", () => {
    const money = {
      type: "record",
      name: "Money",
      namespace: "common",
      fields: [{ name: "cents", type: "long" }],
    };
    const payment = { type: "record", name: "Payment", fields: [{ name: "amount", type: "common.Money" }] };
    expect(
      portSchemaOf("AVRO", JSON.stringify(payment), {
        references: [{ name: "common.Money", schema: JSON.stringify(money) }],
      })?.properties?.amount,
    ).toEqual({
      type: "object",
      properties: { cents: { type: "integer" } },
      required: ["cents"],
      additionalProperties: false,
    });
  });

  it("finds an incompatible edge: a double field against a string input", () => {
    const schema = portSchemaOf(
      "AVRO",
      JSON.stringify({
        type: "record",
        name: "O",
        fields: [
          { name: "id", type: "string" },
          { name: "amount", type: "double" },
        ],
      }),
    );
    const wantsString = {
      type: "object" as const,
      properties: { amount: { type: "string" as const } },
      required: ["amount"],
    };
    const wantsNumber = {
      type: "object" as const,
      properties: { amount: { type: "number" as const } },
      required: ["amount"],
    };
    expect(compatible(schema ?? {}, wantsString).verdict).toBe("no");
    expect(compatible(schema ?? {}, wantsNumber).verdict).toBe("yes");
  });

  it("answers unknown (undefined) for text that is not a schema", () => {
    expect(portSchemaOf("AVRO", "{not json")).toBeUndefined();
    expect(
      portSchemaOf(
        "AVRO",
        JSON.stringify({ type: "record", name: "R", fields: [{ name: "x", type: "Nope" }] }),
      ),
    ).toBeUndefined();
  });
});

describe("portSchemaOf (JSON Schema)", () => {
  it("keeps the subset's keywords and drops the others, widening", () => {
    const schema = {
      $schema: "http://json-schema.org/draft-07/schema#",
      title: "Order",
      type: "object",
      properties: {
        id: { type: "string", minLength: 3, pattern: "^o-" },
        amount: { type: "number", minimum: 0 },
        tags: { type: "array", items: { type: "string" }, uniqueItems: true },
        kind: { enum: ["a", "b"] },
        v: { const: 1 },
      },
      required: ["id", "amount"],
      additionalProperties: false,
    };
    expect(portSchemaOf("JSON", JSON.stringify(schema))).toEqual({
      title: "Order",
      type: "object",
      properties: {
        id: { type: "string" },
        amount: { type: "number" },
        tags: { type: "array", items: { type: "string" } },
        kind: { enum: ["a", "b"] },
        v: { const: 1 },
      },
      required: ["id", "amount"],
      additionalProperties: false,
    });
  });

  it("drops what would narrow once its partner is gone, and reads oneOf as anyOf", () => {
    const mapped = portSchemaOf(
      "JSON",
      JSON.stringify({
        type: "object",
        patternProperties: { "^x-": { type: "string" } },
        additionalProperties: false,
        properties: {
          pair: { type: "array", prefixItems: [{ type: "string" }], items: { type: "number" } },
          either: {
            oneOf: [
              { type: "string", maxLength: 2 },
              { type: "string", minLength: 1 },
            ],
          },
          ref: { $ref: "#/definitions/x" },
        },
      }),
    );
    expect(mapped).toEqual({
      type: "object",
      properties: {
        pair: { type: "array" },
        either: { anyOf: [{ type: "string" }, { type: "string" }] },
        ref: {},
      },
    });
    // A value the original accepts is accepted by the widened type.
    expect(validateValue(mapped ?? {}, { "x-a": "s", pair: ["a", 1], either: "abc", ref: 5 })).toEqual([]);
  });

  it("maps boolean schemas to any value and a bad type name to unknown", () => {
    expect(portSchemaOf("JSON", "true")).toEqual({});
    expect(portSchemaOf("JSON", "false")).toEqual({});
    expect(portSchemaOf("JSON", JSON.stringify({ type: "decimal" }))).toBeUndefined();
  });
});

describe("portSchemaOf (Protobuf)", () => {
  const proto = `
syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/struct.proto";

message Order {
  int64 id = 1;
  string customer_name = 2;
  bytes raw = 3;
  Status status = 4;
  repeated string tags = 5;
  map<string, int32> counts = 6;
  google.protobuf.Timestamp at = 7;
  google.protobuf.Duration took = 8;
  google.protobuf.StringValue note = 9;
  google.protobuf.Struct extra = 10;
  Line line = 11;
  double ratio = 12;
  repeated Line lines = 13;
  optional bool gift = 14;
  oneof pay { string card = 15; int32 voucher = 16; }
  enum Status { NEW = 0; PAID = 1; }
  message Line { string sku = 1; uint64 qty = 2; }
}
message Ping { int32 a = 1; }
`;
  const line: PortSchema = {
    type: "object",
    properties: { sku: { type: "string" }, qty: { type: "string" } },
    required: ["sku", "qty"],
    additionalProperties: false,
  };

  it("maps the first message by the field names and JSON the decoder uses", () => {
    const schema = portSchemaOf("PROTOBUF", proto);
    expect(schema?.properties).toEqual({
      id: { type: "string" },
      customer_name: { type: "string" },
      raw: { type: "string" },
      status: { type: "string", enum: ["NEW", "PAID"] },
      tags: { type: "array", items: { type: "string" } },
      counts: { type: "object", additionalProperties: { type: "integer" } },
      at: { anyOf: [{ type: "null" }, { type: "string" }] },
      took: { anyOf: [{ type: "null" }, { type: "string" }] },
      note: { anyOf: [{ type: "null" }, { type: "string" }] },
      extra: { anyOf: [{ type: "null" }, { type: "object" }] },
      line: { anyOf: [{ type: "null" }, line] },
      ratio: { type: "number" },
      lines: { type: "array", items: line },
      gift: { anyOf: [{ type: "null" }, { type: "boolean" }] },
      card: { anyOf: [{ type: "null" }, { type: "string" }] },
      voucher: { anyOf: [{ type: "null" }, { type: "integer" }] },
    });
    expect(schema?.required).toHaveLength(16);
    expect(portSchemaOf("PROTOBUF", proto, { messageName: "shop.Ping" })).toEqual({
      type: "object",
      properties: { a: { type: "integer" } },
      required: ["a"],
      additionalProperties: false,
    });
  });

  it("types what the decoder produces, for a full and an empty message", () => {
    const codec = protobufCodec(proto);
    const schema = portSchemaOf("PROTOBUF", proto) ?? {};
    const encode = codec.encoder("shop.Order").encode;
    const full = codec.decode(
      encode({
        id: "9223372036854775807",
        customer_name: "Ada",
        raw: "AQL/",
        status: "PAID",
        tags: ["a"],
        counts: { x: 3 },
        at: "2024-05-01T12:00:00.123Z",
        took: "1.500s",
        note: "fragile",
        extra: { a: [1, "two", null] },
        line: { sku: "S-1", qty: "12" },
        ratio: 0.5,
        lines: [{ sku: "S-2", qty: "1" }],
        gift: true,
        voucher: 7,
      }),
    );
    expect(validateValue(schema, full), JSON.stringify(full)).toEqual([]);
    const empty = codec.decode(encode({}));
    expect(empty).toMatchObject({ id: "0", at: null, line: null, gift: null, card: null });
    expect(validateValue(schema, empty), JSON.stringify(empty)).toEqual([]);
  });

  it("resolves imports given as references, and answers undefined for text that does not parse", () => {
    const schema = portSchemaOf(
      "PROTOBUF",
      `syntax = "proto3"; package pay; import "common/money.proto"; message Payment { common.Money amount = 1; }`,
      {
        references: [
          {
            name: "common/money.proto",
            schema: `syntax = "proto3"; package common; message Money { int64 cents = 1; }`,
          },
        ],
      },
    );
    expect(schema?.properties?.amount).toEqual({
      anyOf: [
        { type: "null" },
        {
          type: "object",
          properties: { cents: { type: "string" } },
          required: ["cents"],
          additionalProperties: false,
        },
      ],
    });
    expect(portSchemaOf("PROTOBUF", "message {")).toBeUndefined();
  });
});
