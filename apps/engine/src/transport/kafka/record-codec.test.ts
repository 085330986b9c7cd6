import { describe, expect, it } from "vitest";
import { jsonTextOf, jsonTextRecord } from "@weir/domain";
import { decodeRecord, encodeRecord } from "./record-codec";

const asMessage = (message: ReturnType<typeof encodeRecord>[number]) => ({
  key: message.key === null || message.key === undefined ? null : Buffer.from(message.key),
  value: message.value === null ? null : Buffer.from(message.value as string),
  headers: message.headers,
  timestamp: message.timestamp ?? "0",
});

describe("an edge message of a record whose value is still JSON text (a function's output)", () => {
  it("carries the text itself, unread, and decodes to the same record", () => {
    const record = jsonTextRecord("k", '{"id":7,"note":"a\\u0000b"}', { h: "v" }, 42);
    const [message] = encodeRecord(record);
    if (message === undefined) throw new Error("expected one message");
    expect(message.value).toBe('{"id":7,"note":"a\\u0000b"}');
    expect(jsonTextOf(record)).toBeDefined();
    expect(decodeRecord(asMessage(message))).toEqual({
      key: "k",
      value: { id: 7, note: "a\u0000b" },
      headers: { h: "v" },
      timestamp: 42,
    });
  });

  it("encodes a value that was read and changed from the value, not the stale text", () => {
    const record = jsonTextRecord("k", '{"id":7}', {}, 42);
    (record.value as { id: number }).id = 8;
    expect(encodeRecord(record)[0]?.value).toBe('{"id":8}');
  });

  it("splits a long text into chunks as it would the value's JSON", () => {
    const long = JSON.stringify({ text: "x".repeat(100) });
    const chunks = encodeRecord(jsonTextRecord("k", long, {}, 1), 40);
    expect(chunks.length).toBeGreaterThan(1);
    expect(
      encodeRecord({ key: "k", value: JSON.parse(long) as { text: string }, headers: {}, timestamp: 1 }, 40)
        .length,
    ).toBe(chunks.length);
  });
});
