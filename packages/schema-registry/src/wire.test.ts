import { describe, expect, it } from "vitest";
import { WireFormatError, frame, readMessageIndexes, unframe, writeMessageIndexes } from "./wire";

describe("Confluent wire format", () => {
  it("puts the magic byte and the big-endian schema id before the payload", () => {
    const bytes = frame(258, Buffer.from("hi"));
    expect([...bytes]).toEqual([0, 0, 0, 1, 2, 0x68, 0x69]);
    expect(unframe(bytes)).toEqual({ schemaId: 258, payload: Buffer.from("hi") });
  });

  it("says why a value is not framed", () => {
    expect(() => unframe(Buffer.from([0, 0, 1]))).toThrow(
      new WireFormatError("3 bytes is shorter than the 5-byte header (magic byte + schema id)"),
    );
    expect(() => unframe(Buffer.from('{"a":1}'))).toThrow(/unknown magic byte 123/);
  });

  it("writes Protobuf message indexes as zigzag varints, [0] as one zero byte", () => {
    expect([...writeMessageIndexes([0])]).toEqual([0]);
    // count 2 → 4, index 1 → 2, index 0 → 0 (Confluent's MessageIndexes.toByteArray).
    expect([...writeMessageIndexes([1, 0])]).toEqual([4, 2, 0]);
    expect([...writeMessageIndexes([70])]).toEqual([2, 140, 1]);
    const rest = Buffer.from([9, 9]);
    for (const indexes of [[0], [1, 0], [70], [3, 2, 1]])
      expect(readMessageIndexes(Buffer.concat([writeMessageIndexes(indexes), rest]))).toEqual({
        indexes,
        rest,
      });
  });

  it("refuses cut-short message indexes", () => {
    expect(() => readMessageIndexes(Buffer.from([4, 2]))).toThrow(/cut short/);
  });
});
