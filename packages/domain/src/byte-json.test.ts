import { describe, expect, it } from "vitest";
import { base64ToBytes, bytesJson, bytesToBase64, fromByteJson, isBytesJson, toByteJson } from "./byte-json";

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

describe("byte-json", () => {
  it("writes bytes as base64 and their length, and reads the same bytes back", () => {
    const value = bytes(0, 1, 2, 255, 104, 105);
    const json = toByteJson(value);
    expect(json).toEqual({ $bytes: "AAEC/2hp", length: 6 });
    const back = fromByteJson(JSON.parse(JSON.stringify(json)));
    expect(back).toBeInstanceOf(Uint8Array);
    expect([...(back as Uint8Array)]).toEqual([...value]);
    expect(toByteJson(new Uint8Array(0))).toEqual({ $bytes: "", length: 0 });
  });

  it("writes the bytes of a record in place and leaves the rest as it is", () => {
    const record = { key: "k", value: bytes(104, 105), headers: { a: "b" }, timestamp: 5 };
    const json = toByteJson(record);
    expect(json).toEqual({
      key: "k",
      value: { $bytes: "aGk=", length: 2 },
      headers: { a: "b" },
      timestamp: 5,
    });
    expect(fromByteJson(json)).toEqual(record);
    // Nothing to change: the same object, not a copy.
    const plain = { key: null, value: { n: 1 }, headers: {}, timestamp: 1 };
    expect(toByteJson(plain)).toBe(plain);
    expect(fromByteJson(plain)).toBe(plain);
  });

  it("never takes a JSON value for bytes: its own $bytes keys are escaped, and read back as they were", () => {
    const lookalike = { $bytes: "aGk=", length: 2 };
    const deeper = { $$bytes: 1, list: [{ $bytes: "x" }], other$bytes: 2 };
    for (const value of [lookalike, deeper, [lookalike]]) {
      const json = toByteJson(value);
      expect(JSON.stringify(json)).not.toMatch(/"\$bytes"/);
      expect(fromByteJson(JSON.parse(JSON.stringify(json)))).toEqual(value);
    }
    expect(toByteJson(lookalike)).toEqual({ $$bytes: "aGk=", length: 2 });
    expect(isBytesJson(toByteJson(lookalike))).toBe(false);
  });

  it("recognises only well-formed byte JSON", () => {
    expect(isBytesJson({ $bytes: "aGk=", length: 2 })).toBe(true);
    expect(isBytesJson({ $bytes: "aGk", length: 2 })).toBe(false);
    expect(isBytesJson({ $bytes: "aGk=", length: -1 })).toBe(false);
    expect(isBytesJson({ $bytes: "aGk=", length: 2, more: 1 })).toBe(false);
    expect(isBytesJson({ $bytes: "a!k=", length: 2 })).toBe(false);
    expect(isBytesJson(["aGk=", 2])).toBe(false);
  });

  it("keeps a preview of the first bytes with the whole length, and round-trips large values", () => {
    const big = new Uint8Array(200_003).map((_, i) => (i * 7) % 256);
    expect(bytesJson(big, 3)).toEqual({ $bytes: bytesToBase64(big.subarray(0, 3)), length: 200_003 });
    expect([...base64ToBytes(bytesToBase64(big))]).toEqual([...big]);
    expect(bytesToBase64(big)).toBe(Buffer.from(big).toString("base64"));
  });
});
