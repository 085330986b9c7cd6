import { describe, expect, it } from "vitest";
import { jsonTextOf, jsonTextRecord } from "@weir/domain";
import { TIMESTAMP_HEADER, decodeRecord, encodeRecord } from "./record-codec";

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

describe("a record's timestamp on an edge topic", () => {
  const record = { key: "k", value: { n: 1 }, headers: { h: "v" }, timestamp: 1 };

  it("travels in its own header, so the broker may stamp the message with the time it was written", () => {
    const [message] = encodeRecord(record);
    if (message === undefined) throw new Error("expected one message");
    expect(message.headers?.[TIMESTAMP_HEADER]).toBe("1");
    // What a LogAppendTime topic (EDGE_TOPIC_CONFIGS) hands the reader: the broker's time.
    const appended = { ...asMessage(message), timestamp: String(Date.now()) };
    expect(decodeRecord(appended)).toEqual(record);
  });

  it("is the message's timestamp for a message written without the header (an older engine's)", () => {
    const [message] = encodeRecord(record);
    if (message === undefined) throw new Error("expected one message");
    const headers = { ...message.headers };
    Reflect.deleteProperty(headers, TIMESTAMP_HEADER);
    expect(decodeRecord({ ...asMessage(message), headers, timestamp: "1700000000000" })).toEqual({
      ...record,
      timestamp: 1_700_000_000_000,
    });
  });

  it("is on every chunk of a split value", () => {
    const chunks = encodeRecord({ ...record, value: { text: "x".repeat(100) } }, 40);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.headers?.[TIMESTAMP_HEADER]).toBe("1");
  });
});
