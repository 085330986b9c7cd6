import { describe, expect, it } from "vitest";
import { protobufCodec } from "./protobuf";
import { writeMessageIndexes } from "./wire";

const schema = `
syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/struct.proto";

message Ping { int32 a = 1; }

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
  enum Status { NEW = 0; PAID = 1; }
  message Line { string sku = 1; uint64 qty = 2; }
}
`;

const order = {
  id: "9223372036854775807",
  customer_name: "Ada",
  raw: Buffer.from([1, 2, 255]).toString("base64"),
  status: "PAID",
  tags: ["a", "b"],
  counts: { x: 3 },
  at: "2024-05-01T12:00:00.123456Z",
  took: "1.500s",
  note: "fragile",
  extra: { a: [1, "two", null, { b: true }] },
  line: { sku: "S-1", qty: "12" },
  ratio: 0.5,
};

describe("Protobuf", () => {
  const codec = protobufCodec(schema);

  it("round-trips with proto3 JSON for well-known types, int64 as text, bytes as base64", () => {
    const encoder = codec.encoder("shop.Order");
    expect(encoder.messageName).toBe("shop.Order");
    const bytes = encoder.encode(order);
    // Order is the file's second message: indexes [1].
    expect([...bytes.subarray(0, 2)]).toEqual([2, 2]);
    expect(codec.decode(bytes)).toEqual(order);
  });

  it("decodes the bytes the Protobuf documentation gives (150 in field 1) as the first message", () => {
    expect(codec.decode(Buffer.from([0, 0x08, 0x96, 0x01]))).toEqual({ a: 150 });
    expect(
      codec
        .encoder()
        .encode({ a: 150 })
        .equals(Buffer.from([0, 0x08, 0x96, 0x01])),
    ).toBe(true);
  });

  it("picks nested messages by their index path and fills proto3 defaults", () => {
    const line = codec.encoder("shop.Order.Line");
    const bytes = line.encode({ sku: "S-2" });
    expect([...bytes.subarray(0, 3)]).toEqual([...writeMessageIndexes([1, 0])]);
    expect(codec.decode(bytes)).toEqual({ sku: "S-2", qty: "0" });
    const empty = codec.decode(Buffer.concat([writeMessageIndexes([1]), Buffer.alloc(0)]));
    expect(empty).toMatchObject({ id: "0", status: "NEW", at: null, note: null, tags: [] });
  });

  it("refuses unknown fields and wrong kinds with the path", () => {
    const encode = codec.encoder("shop.Order").encode;
    expect(() => encode({ ...order, colour: "red" })).toThrow(
      "$.colour: message shop.Order has no field 'colour'",
    );
    expect(() => encode({ ...order, status: "LOST" })).toThrow("$.status: expected one of NEW, PAID");
    expect(() => encode({ ...order, line: { sku: 1 } })).toThrow("$.line.sku: expected a string, got 1");
    expect(() => encode({ ...order, at: "yesterday" })).toThrow("$.at: expected an RFC 3339 timestamp");
  });

  it("names message indexes that point nowhere", () => {
    expect(() => codec.decode(Buffer.from([2, 14]))).toThrow(
      "message indexes [7] name no message of the schema",
    );
  });

  it("resolves imports given as references", () => {
    const withRef = protobufCodec(
      `syntax = "proto3"; package pay; import "common/money.proto"; message Payment { common.Money amount = 1; }`,
      [
        {
          name: "common/money.proto",
          schema: `syntax = "proto3"; package common; message Money { int64 cents = 1; }`,
        },
      ],
    );
    const bytes = withRef.encoder().encode({ amount: { cents: "5" } });
    expect(withRef.decode(bytes)).toEqual({ amount: { cents: "5" } });
  });

  it("reads a schema registered as a base64 FileDescriptorProto, as Confluent's clients register it", () => {
    // Written by Google's Python protobuf library: package acme; message Order { int64 order_id = 1;
    // google.protobuf.Timestamp at = 2; } in weir/order.proto.
    const descriptor =
      "ChB3ZWlyL29yZGVyLnByb3RvEgRhY21lGh9nb29nbGUvcHJvdG9idWYvdGltZXN0YW1wLnByb3RvIkEKBU9yZGVyEhAKCG9yZGVyX2lkGAEgASgDEiYKAmF0GAIgASgLMhouZ29vZ2xlLnByb3RvYnVmLlRpbWVzdGFtcGIGcHJvdG8z";
    const codec = protobufCodec(descriptor);
    const encoder = codec.encoder();
    expect(encoder.messageName).toBe("acme.Order");
    const bytes = encoder.encode({ order_id: "12", at: "2024-05-01T12:00:00Z" });
    expect(bytes.toString("hex")).toBe("00080c120608c0ddc8b106");
    expect(codec.decode(bytes)).toEqual({ order_id: "12", at: "2024-05-01T12:00:00Z" });
  });
});
