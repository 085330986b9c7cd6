import { describe, expect, it } from "vitest";
import type { EdgeMessageFrame } from "./chunk-codec";
import { CHUNK_HEADER, Reassembler, splitMessage } from "./chunk-codec";

function message(size: number, headers: Record<string, string> = { h: "v" }): EdgeMessageFrame {
  const value = new Uint8Array(size);
  for (let i = 0; i < size; i++) value[i] = (i * 13) & 0xff;
  return { key: "k", value, headers, timestamp: "42" };
}

let ids = 0;
const newId = (): string => `id${++ids}`;

describe("chunk codec", () => {
  it("leaves a value within the limit (and a null one) as one message", () => {
    const small = message(10);
    expect(splitMessage(small, 10, newId)).toEqual([small]);
    const tombstone = { ...small, value: null };
    expect(splitMessage(tombstone, 1, newId)).toEqual([tombstone]);
  });

  it("splits a larger value into ordered chunks of the limit, each with the key, timestamp and headers", () => {
    const chunks = splitMessage(message(25), 10, () => "x");
    expect(chunks.map((c) => c.value?.byteLength)).toEqual([10, 10, 5]);
    expect(chunks.map((c) => c.headers)).toEqual([
      { h: "v", [CHUNK_HEADER]: "0/3/x" },
      { h: "v", [CHUNK_HEADER]: "1/3/x" },
      { h: "v", [CHUNK_HEADER]: "2/3/x" },
    ]);
    expect(new Set(chunks.map((c) => `${c.key}@${c.timestamp}`))).toEqual(new Set(["k@42"]));
  });

  it("puts the value back together byte for byte, answering nothing until the last chunk", () => {
    const original = message(1000);
    const reader = new Reassembler(10_000);
    const out = splitMessage(original, 64, newId).map((chunk) => reader.accept(chunk));
    expect(out.slice(0, -1).every((m) => m === null)).toBe(true);
    expect(out.at(-1)).toEqual(original);
    expect(reader.pending).toBe(0);
  });

  it("reassembles two writers' interleaved values apart, and passes unsplit messages through", () => {
    const a = message(30, { w: "a" });
    const b = message(20, { w: "b" });
    const [a0, a1, a2] = splitMessage(a, 10, newId);
    const [b0, b1] = splitMessage(b, 10, newId);
    const plain = message(3);
    const reader = new Reassembler(1000);
    const out = [a0, b0, a1, plain, b1, a2].map((m) => (m ? reader.accept(m) : undefined));
    expect(out).toEqual([null, null, null, plain, b, a]);
  });

  it("refuses chunks out of order or without their first, naming them", () => {
    const [c0, c1, c2] = splitMessage(message(30), 10, () => "v1");
    const reader = new Reassembler(1000);
    expect(() => reader.accept(c1 as EdgeMessageFrame)).toThrow(
      "chunk 2 of 3 of value v1 arrived without its first",
    );
    reader.accept(c0 as EdgeMessageFrame);
    expect(() => reader.accept(c2 as EdgeMessageFrame)).toThrow(
      "chunk 3 of 3 of value v1 arrived after chunk 1 of 3",
    );
    expect(() => reader.accept({ ...message(1), headers: { [CHUNK_HEADER]: "x" } })).toThrow(
      "not a Weir chunk: weir-chunk 'x'",
    );
  });

  it("bounds what an incomplete value may hold", () => {
    const chunks = splitMessage(message(100), 10, () => "big");
    const reader = new Reassembler(25);
    reader.accept(chunks[0] as EdgeMessageFrame);
    reader.accept(chunks[1] as EdgeMessageFrame);
    expect(() => reader.accept(chunks[2] as EdgeMessageFrame)).toThrow(
      "value big is still incomplete with 30 bytes pending, over the limit of 25",
    );
  });

  it("refuses a limit that is not a positive integer", () => {
    expect(() => splitMessage(message(5), 0, newId)).toThrow("chunk limit must be a positive integer, got 0");
  });
});
