import { describe, expect, it } from "vitest";
import type { WeirRecord } from "@weir/domain";
import { jsonTextOf, jsonTextRecord } from "@weir/domain";
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

describe("encodeRecord of a record whose value is still JSON text (a function's output)", () => {
  const json = { key: { from: "record" }, valueFormat: "json" } as const;
  const text = (value: string, headers: Record<string, string> = {}): WeirRecord =>
    jsonTextRecord("rk", value, headers, 1700000000123);

  it("writes the text itself, leaving the value unread", () => {
    const out = text('{"customer":{"id":7}}');
    expect(encodeRecord(out, json).value).toBe('{"customer":{"id":7}}');
    expect(jsonTextOf(out)).toBe('{"customer":{"id":7}}');
  });

  it("encodes a value that was read and changed from the value, not the stale text", () => {
    const out = text('{"customer":{"id":7}}');
    (out.value as { customer: { id: number } }).customer.id = 8;
    expect(encodeRecord(out, json).value).toBe('{"customer":{"id":8}}');
  });

  it("writes strings, null and base64 as an eager record's would be", () => {
    expect(encodeRecord(text('"plain"'), { ...json, valueFormat: "utf8" }).value).toBe("plain");
    expect(encodeRecord(text('"plain"'), json).value).toBe('"plain"');
    expect(encodeRecord(text("null"), json).value).toBeNull();
    expect(encodeRecord(text('"AP8B"', { "content-encoding": "base64" }), json).value).toEqual(
      Buffer.from([0, 255, 1]),
    );
    expect(
      encodeRecord(text('{"customer":{"name":"Ada"}}'), {
        ...json,
        key: { from: "field", path: "customer.name" },
      }),
    ).toMatchObject({ key: "Ada", value: '{"customer":{"name":"Ada"}}' });
  });
});

// Regression (issue 10): Kafka keys, headers and utf8 values are UTF-8 bytes, and a lone UTF-16
// surrogate has no UTF-8 form; Buffer.from turned it into U+FFFD, so the record was silently
// altered. Such a record is refused, so the sink dead-letters it with the reason.
describe("kafka-sink encoding of text that is not valid Unicode", () => {
  const lone = "a\ud800b";
  it("refuses a lone surrogate in a utf8 value, the key or a header, naming where", () => {
    const utf8 = { key: { from: "record" as const }, valueFormat: "utf8" as const };
    expect(() => encodeRecord({ ...record, value: lone }, utf8)).toThrow(/value .*lone UTF-16 surrogate/);
    expect(() => encodeRecord({ ...record, key: lone }, utf8)).toThrow(/key .*lone UTF-16 surrogate/);
    expect(() => encodeRecord({ ...record, headers: { h: lone } }, utf8)).toThrow(
      /header 'h' .*lone UTF-16 surrogate/,
    );
  });

  it("still writes such a value as JSON, which escapes it, and keeps NUL and paired surrogates", () => {
    const json = { key: { from: "record" as const }, valueFormat: "json" as const };
    expect(encodeRecord({ ...record, value: lone }, json).value).toBe('"a\\ud800b"');
    const text = "a\u0000😀";
    const message = encodeRecord({ ...record, value: text, key: text }, { ...json, valueFormat: "utf8" });
    expect([message.value, message.key]).toEqual([text, text]);
  });
});
