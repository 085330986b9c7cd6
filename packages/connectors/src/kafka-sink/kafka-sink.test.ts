import { describe, expect, it } from "vitest";
import type { WeirRecord } from "@weir/domain";
import { kafkaSinkConfigSchema } from "./definition";
import { encodeRecord } from "./encode";

const base = { brokers: ["localhost:9092"], topic: "out" };
const record: WeirRecord = {
  key: "rk",
  value: { customer: { id: 7, name: "Ada" } },
  headers: { "x-trace": "t-1" },
  timestamp: 1700000000123,
};

describe("kafka-sink config", () => {
  it("fills defaults: record key, acks -1, idempotent, no compression", () => {
    expect(kafkaSinkConfigSchema.parse(base)).toEqual({
      ...base,
      key: { from: "record" },
      acks: -1,
      compression: "none",
      idempotent: true,
      valueFormat: "json",
    });
  });

  it("refuses acks 1 on an idempotent producer, at the acks path", () => {
    const result = kafkaSinkConfigSchema.safeParse({ ...base, acks: 1 });
    expect(result.error?.issues[0]?.path).toEqual(["acks"]);
    expect(kafkaSinkConfigSchema.safeParse({ ...base, acks: 1, idempotent: false }).success).toBe(true);
  });

  it("rejects a field key without a path and a bad topic name", () => {
    const result = kafkaSinkConfigSchema.safeParse({
      ...base,
      topic: "a topic",
      key: { from: "field", path: "" },
    });
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual(["topic", "key.path"]);
  });
});

describe("encodeRecord", () => {
  const json = { key: { from: "record" }, valueFormat: "json" } as const;

  it("writes the record key, JSON value, headers and timestamp", () => {
    expect(encodeRecord(record, json)).toEqual({
      key: "rk",
      value: '{"customer":{"id":7,"name":"Ada"}}',
      headers: { "x-trace": "t-1" },
      timestamp: "1700000000123",
    });
  });

  it("takes the key from a field of the value, or none", () => {
    expect(encodeRecord(record, { ...json, key: { from: "field", path: "customer.name" } }).key).toBe("Ada");
    expect(encodeRecord(record, { ...json, key: { from: "field", path: "customer.id" } }).key).toBe("7");
    expect(
      encodeRecord(record, { ...json, key: { from: "field", path: "customer.missing" } }).key,
    ).toBeNull();
    expect(encodeRecord(record, { ...json, key: { from: "none" } }).key).toBeNull();
  });

  it("writes base64 values as bytes and drops the internal encoding header", () => {
    const bytes = encodeRecord({ ...record, value: "AP8B", headers: { "content-encoding": "base64" } }, json);
    expect(bytes.value).toEqual(Buffer.from([0, 255, 1]));
    expect(bytes.headers).toEqual({});
  });

  it("writes strings verbatim in utf8 format and as JSON otherwise", () => {
    expect(encodeRecord({ ...record, value: "plain" }, { ...json, valueFormat: "utf8" }).value).toBe("plain");
    expect(encodeRecord({ ...record, value: "plain" }, json).value).toBe('"plain"');
    expect(encodeRecord({ ...record, value: null }, json).value).toBeNull();
  });
});
