import { describe, expect, it } from "vitest";
import type { EdgeMessageFrame } from "./chunk-codec";
import { CHUNK_HEADER, chunkMarker, splitMessage } from "./chunk-codec";

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

  it("reads a chunk marker, refusing a malformed one by its text", () => {
    expect(chunkMarker({ [CHUNK_HEADER]: "2/3/x/y" })).toEqual({ index: 2, count: 3, id: "x/y" });
    expect(chunkMarker({ h: "v" })).toBeUndefined();
    for (const bad of ["x", "3/3/a", "0/1/a", "0/2/"])
      expect(() => chunkMarker({ [CHUNK_HEADER]: bad })).toThrow(`not a Weir chunk: weir-chunk '${bad}'`);
  });

  it("refuses a limit that is not a positive integer", () => {
    expect(() => splitMessage(message(5), 0, newId)).toThrow("chunk limit must be a positive integer, got 0");
  });
});
