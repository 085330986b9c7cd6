import { describe, expect, it } from "vitest";
import { decodeMessage } from "./decode";
import type { KafkaMessageLike } from "./decode";
import { kafkaSourceConfigSchema, typingSubjectOf } from "./definition";
import { defaultGroupId } from "./source";

const where = { topic: "orders", partition: 2 };

function message(value: string | Buffer | null, extra: Partial<KafkaMessageLike> = {}): KafkaMessageLike {
  return {
    key: Buffer.from("k-1"),
    value: typeof value === "string" ? Buffer.from(value) : value,
    headers: { "x-trace": Buffer.from("t-1"), repeated: [Buffer.from("a"), Buffer.from("b")] },
    timestamp: "1700000000123",
    offset: "41",
    ...extra,
  };
}

describe("kafka-source config", () => {
  it("fills defaults", () => {
    expect(kafkaSourceConfigSchema.parse({ brokers: ["localhost:9092"], topics: ["orders"] })).toEqual({
      brokers: ["localhost:9092"],
      topics: ["orders"],
      fromBeginning: "latest",
      valueFormat: "json",
    });
  });

  it("rejects a broker without a port and an empty topic list, with their paths", () => {
    const result = kafkaSourceConfigSchema.safeParse({ brokers: ["localhost"], topics: [] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual(["brokers.0", "topics"]);
  });

  it("names the subject that types the output port: its own, else <topic>-value for one topic", () => {
    const registry = { brokers: ["k:9092"], valueFormat: "registry", registry: "sr" };
    const subject = (config: object) => typingSubjectOf(kafkaSourceConfigSchema.parse(config));
    expect(subject({ ...registry, topics: ["orders"] })).toBe("orders-value");
    expect(subject({ ...registry, topics: ["orders"], subject: "shop.Order" })).toBe("shop.Order");
    expect(subject({ ...registry, topics: ["a", "b"] })).toBeUndefined();
    expect(subject({ ...registry, topics: ["a", "b"], subject: "shared" })).toBe("shared");
    expect(subject({ brokers: ["k:9092"], topics: ["orders"] })).toBeUndefined();
    const stray = kafkaSourceConfigSchema.safeParse({ brokers: ["k:9092"], topics: ["o"], subject: "s" });
    expect(stray.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([
      ["subject", 'a subject is used only with valueFormat "registry"'],
    ]);
  });

  it("derives a group per flow node", () => {
    expect(defaultGroupId({ flowId: "f1", nodeId: "src" })).not.toBe(
      defaultGroupId({ flowId: "f2", nodeId: "src" }),
    );
  });
});

describe("decodeMessage", () => {
  it("maps key, headers (the last of repeated ones), timestamp and a JSON value", () => {
    expect(decodeMessage(message('{"id":1}'), "json", where)).toEqual({
      ok: true,
      record: {
        key: "k-1",
        value: { id: 1 },
        headers: { "x-trace": "t-1", repeated: "b" },
        timestamp: 1700000000123,
      },
    });
  });

  it("keeps utf8 values as strings and a missing key as null", () => {
    const decoded = decodeMessage(message("héllo", { key: null }), "utf8", where);
    expect(decoded.record).toMatchObject({ key: null, value: "héllo" });
  });

  it("carries bytes base64-encoded with a content-encoding header", () => {
    const decoded = decodeMessage(message(Buffer.from([0, 255, 1])), "bytes", where);
    expect(decoded.record.value).toBe("AP8B");
    expect(decoded.record.headers["content-encoding"]).toBe("base64");
  });

  it("turns a tombstone (null value) into a null value", () => {
    expect(decodeMessage(message(null), "json", where).record.value).toBeNull();
  });

  it("reports bad JSON with its position and keeps the raw text", () => {
    const decoded = decodeMessage(message("{not json"), "json", where);
    expect(decoded.ok).toBe(false);
    expect(decoded.record.value).toBe("{not json");
    expect(!decoded.ok && decoded.error).toMatch(/^bad JSON at orders\/2@41: /);
  });
});
