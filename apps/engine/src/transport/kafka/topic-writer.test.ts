import { describe, expect, it } from "vitest";
import { MESSAGES_PER_REQUEST, splitRequests } from "./topic-writer";

const bytes = (n: number): Buffer => Buffer.alloc(n, 1);

describe("produce requests", () => {
  it("cut at MESSAGES_PER_REQUEST messages, in order, across topics", () => {
    const messages = Array.from({ length: MESSAGES_PER_REQUEST + 3 }, (_, i) => ({ value: String(i) }));
    const requests = splitRequests([{ topic: "a", messages }], Infinity);
    expect(requests.map((r) => r.map((t) => t.messages.length))).toEqual([[MESSAGES_PER_REQUEST], [3]]);
    expect(requests.flat().flatMap((t) => t.messages)).toEqual(messages);
  });

  it("cut before a message that would take a request past the byte bound (a large one goes alone)", () => {
    const requests = splitRequests(
      [
        { topic: "a", messages: [{ value: bytes(400) }, { value: bytes(400) }, { value: bytes(400) }] },
        { topic: "b", messages: [{ value: bytes(2000) }, { value: "x".repeat(100) }, { value: null }] },
      ],
      1000,
    );
    expect(requests.map((r) => r.map((t) => `${t.topic}:${String(t.messages.length)}`))).toEqual([
      ["a:2"],
      ["a:1"],
      ["b:1"],
      ["b:2"],
    ]);
  });
});
