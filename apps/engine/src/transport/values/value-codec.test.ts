import { describe, expect, it } from "vitest";
import { decodeValue, encodeValue, VALUE_KIND_HEADER } from "./value-codec";

function roundTrip(value: Parameters<typeof encodeValue>[0]) {
  const encoded = encodeValue(value);
  const raw = typeof encoded.value === "string" ? Buffer.from(encoded.value) : Buffer.from(encoded.value);
  const headers = { other: "h", ...encoded.headers };
  return { decoded: decodeValue(raw, headers), headers, raw };
}

describe("edge message values", () => {
  it("carries bytes raw, marked by a header the reader removes", () => {
    const bytes = new Uint8Array([0, 255, 10, 13, 34]);
    const { decoded, headers, raw } = roundTrip(bytes);
    expect(raw.length).toBe(5);
    expect(decoded).toBeInstanceOf(Uint8Array);
    expect([...(decoded as Uint8Array)]).toEqual([0, 255, 10, 13, 34]);
    expect(headers).toEqual({ other: "h" });
  });

  it("encodes a view of a larger array as just the view's bytes", () => {
    const all = new Uint8Array([1, 2, 3, 4, 5, 6]);
    const { decoded } = roundTrip(all.subarray(2, 4));
    expect([...(decoded as Uint8Array)]).toEqual([3, 4]);
  });

  it("carries JSON as its text, without the marker", () => {
    const { decoded, headers, raw } = roundTrip({ a: [1, "x"] });
    expect(raw.toString()).toBe('{"a":[1,"x"]}');
    expect(decoded).toEqual({ a: [1, "x"] });
    expect(headers).toEqual({ other: "h" });
  });

  it("reads an empty byte value and a null JSON value", () => {
    expect(decodeValue(null, { [VALUE_KIND_HEADER]: "bytes" })).toEqual(new Uint8Array(0));
    expect(decodeValue(null, {})).toBeNull();
  });

  it("refuses an unknown kind and JSON that does not parse, saying what", () => {
    expect(() => decodeValue(Buffer.from("x"), { [VALUE_KIND_HEADER]: "avro" })).toThrow(
      "not a Weir record (unknown weir-value 'avro')",
    );
    expect(() => decodeValue(Buffer.from("{"), {})).toThrow(/^not a Weir record \(bad JSON value: /);
  });
});
