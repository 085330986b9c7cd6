import { describe, expect, it } from "vitest";
import { flowSpecSchema } from "@weir/domain";
import { exactlyOnceRefusal, sameCluster } from "./exactly-once";
import { isFenced, splitRequests } from "./partition-transactions";

const spec = flowSpecSchema.parse({ name: "f", delivery: "exactly-once" });

describe("exactly-once on the Kafka transport", () => {
  it("runs on kafkajs and is refused on @platformatic/kafka with the reason", () => {
    expect(exactlyOnceRefusal(spec, "kafkajs")).toBeUndefined();
    expect(exactlyOnceRefusal(spec, "platformatic")).toMatch(
      /kafkajs client only.*WEIR_KAFKA_CLIENT=platformatic/,
    );
    expect(exactlyOnceRefusal(flowSpecSchema.parse({ name: "f" }), "platformatic")).toBeUndefined();
  });

  it("tells one cluster from another by its brokers, in any order", () => {
    const a = { brokers: ["b:9092", "a:9092"] } as Parameters<typeof sameCluster>[0];
    const b = { brokers: ["a:9092", "b:9092"] } as Parameters<typeof sameCluster>[0];
    const c = { brokers: ["c:9092"] } as Parameters<typeof sameCluster>[0];
    expect(sameCluster(a, b)).toBe(true);
    expect(sameCluster(a, c)).toBe(false);
  });

  it("knows a fenced producer's error, wrapped or not, from other errors", () => {
    expect(isFenced({ type: "INVALID_PRODUCER_EPOCH" })).toBe(true);
    expect(
      isFenced(Object.assign(new Error("retries"), { originalError: { type: "PRODUCER_FENCED" } })),
    ).toBe(true);
    expect(isFenced({ type: "CONCURRENT_TRANSACTIONS" })).toBe(false);
    expect(isFenced(new Error("connection closed"))).toBe(false);
  });

  it("cuts staged outputs into requests of at most 500 messages, in order", () => {
    const messages = (n: number, tag: string) =>
      [...Array(n).keys()].map((i) => ({ value: `${tag}${String(i)}` }));
    const requests = splitRequests([
      { topic: "x", messages: messages(700, "x") },
      { topic: "y", messages: messages(400, "y") },
    ]);
    expect(requests.map((r) => r.reduce((sum, t) => sum + t.messages.length, 0))).toEqual([500, 500, 100]);
    expect(requests.flat().flatMap((t) => t.messages.map((m) => m.value))).toEqual([
      ...messages(700, "x").map((m) => m.value),
      ...messages(400, "y").map((m) => m.value),
    ]);
  });
});
