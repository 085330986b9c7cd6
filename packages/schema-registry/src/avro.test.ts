import avro from "avsc";
import { describe, expect, it } from "vitest";
import { avroCodec } from "./avro";
import { SchemaMismatchError } from "./json";

const schema = {
  type: "record",
  name: "Order",
  namespace: "shop",
  fields: [
    { name: "id", type: "long" },
    { name: "big", type: "long" },
    { name: "note", type: ["null", "string"], default: null },
    { name: "qty", type: ["int", "string"] },
    { name: "raw", type: "bytes" },
    { name: "price", type: { type: "bytes", logicalType: "decimal", precision: 9, scale: 2 } },
    { name: "at", type: { type: "long", logicalType: "timestamp-millis" } },
    { name: "atMicros", type: { type: "long", logicalType: "timestamp-micros" } },
    { name: "day", type: { type: "int", logicalType: "date" } },
    { name: "status", type: { type: "enum", name: "Status", symbols: ["NEW", "PAID"] } },
    { name: "tags", type: { type: "array", items: "string" } },
    { name: "attrs", type: { type: "map", values: "double" } },
    { name: "hash", type: { type: "fixed", name: "Hash", size: 4 } },
    {
      name: "ship",
      type: ["null", { type: "record", name: "Address", fields: [{ name: "city", type: "string" }] }],
    },
    { name: "billing", type: ["null", "Address"], default: null },
    { name: "ratio", type: "double" },
  ],
};

const value = {
  id: 42,
  big: "9223372036854775807",
  note: "fragile",
  qty: "a dozen",
  raw: Buffer.from([1, 2, 255]).toString("base64"),
  price: "-12.50",
  at: "2024-05-01T12:00:00.123Z",
  atMicros: "2024-05-01T12:00:00.123456Z",
  day: "2024-05-01",
  status: "PAID",
  tags: ["a", "b"],
  attrs: { w: 1.5 },
  hash: Buffer.from("abcd").toString("base64"),
  ship: { city: "Oslo" },
  billing: null,
  ratio: "NaN",
};

describe("Avro", () => {
  const codec = avroCodec(JSON.stringify(schema));

  it("round-trips every mapped kind of value", () => {
    expect(codec.decode(codec.encode(value))).toEqual(value);
  });

  it("decodes what plain avsc wrote into the documented JSON mapping", () => {
    const plain = avro.Type.forSchema(schema as avro.Schema, { wrapUnions: "always" });
    const written = plain.toBuffer({
      id: 42,
      big: 7,
      note: null,
      qty: { int: 12 },
      raw: Buffer.from([0]),
      // -1250 unscaled = -12.50 at scale 2, two's complement 0xFB1E.
      price: Buffer.from([0xfb, 0x1e]),
      at: 1714564800123,
      atMicros: 1714564800123456,
      day: 19844,
      status: "NEW",
      tags: [],
      attrs: {},
      hash: Buffer.from([0, 0, 0, 1]),
      ship: { "shop.Address": { city: "Oslo" } },
      billing: null,
      ratio: 0.25,
    });
    expect(codec.decode(written)).toEqual({
      id: 42,
      big: 7,
      note: null,
      qty: 12,
      raw: "AA==",
      price: "-12.50",
      at: "2024-05-01T12:00:00.123Z",
      atMicros: "2024-05-01T12:00:00.123456Z",
      day: "2024-05-01",
      status: "NEW",
      tags: [],
      attrs: {},
      hash: "AAAAAQ==",
      ship: { city: "Oslo" },
      billing: null,
      ratio: 0.25,
    });
  });

  it("fills a missing field from its default", () => {
    const { note: _note, billing: _billing, ...rest } = value;
    expect(codec.decode(codec.encode(rest))).toEqual({ ...rest, note: null, billing: null });
  });

  it("refuses a value that does not fit, naming the path", () => {
    expect(() => codec.encode({ ...value, ship: { city: 5 } })).toThrow(
      new SchemaMismatchError("$.ship", 'expected a value of one of null | shop.Address, got {"city":5}'),
    );
    expect(() => codec.encode({ ...value, price: "1.005" })).toThrow(
      "$.price: 1.005 has more than 2 decimal places",
    );
    expect(() => codec.encode({ ...value, extra: 1 })).toThrow(
      "$.extra: record shop.Order has no field 'extra'",
    );
    expect(() => codec.encode({ ...value, id: undefined as unknown as number })).toThrow("$.id: missing");
    expect(() => codec.encode({ ...value, tags: ["a", 1] })).toThrow("$.tags[1]: expected a string, got 1");
  });

  it("throws on a payload cut short or with bytes left over", () => {
    const bytes = codec.encode(value);
    expect(() => codec.decode(bytes.subarray(0, bytes.length - 3))).toThrow();
    expect(() => codec.decode(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(/trailing/);
  });

  it("resolves named types from referenced schemas", () => {
    const money = {
      type: "record",
      name: "Money",
      namespace: "common",
      fields: [{ name: "cents", type: "long" }],
    };
    const withRef = avroCodec(
      JSON.stringify({ type: "record", name: "Payment", fields: [{ name: "amount", type: "common.Money" }] }),
      [JSON.stringify(money)],
    );
    expect(withRef.decode(withRef.encode({ amount: { cents: 5 } }))).toEqual({ amount: { cents: 5 } });
  });
});
