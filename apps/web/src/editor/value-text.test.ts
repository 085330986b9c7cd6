import { describe, expect, it } from "vitest";
import { toByteJson } from "@weir/domain";
import { describeBytes, valueText } from "./value-text";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("valueText", () => {
  it("shows bytes that are text as their size and the text", () => {
    expect(valueText(toByteJson(text("hello world\n")))).toBe('12 bytes "hello world\\n"');
    expect(valueText(toByteJson(text("x")))).toBe('1 byte "x"');
    expect(valueText(toByteJson(new Uint8Array(0)))).toBe("0 bytes");
  });

  it("shows other bytes as their size and their first bytes in hex", () => {
    expect(valueText(toByteJson(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1])))).toBe(
      "6 bytes 89 50 4e 47 00 01",
    );
    const big = new Uint8Array(5000).fill(0xff);
    expect(valueText(toByteJson(big))).toBe(`5,000 bytes ${Array(32).fill("ff").join(" ")}…`);
  });

  it("shows a preview that holds only the first bytes with the whole size", () => {
    // As edge peek sends it: the first bytes, the length of all of them.
    expect(describeBytes({ $bytes: btoa("abc"), length: 70_000 })).toBe('70,000 bytes "abc"…');
    // Text cut in the middle of a character is still text.
    const cut = text("é".repeat(40)).subarray(0, 33);
    expect(describeBytes(cut)).toBe(`33 bytes ${JSON.stringify("é".repeat(16))}…`);
  });

  it("shows JSON as JSON, with an escaped $bytes key as the sender wrote it", () => {
    expect(valueText(toByteJson({ n: 1, $bytes: "x" }))).toBe('{"n":1,"$bytes":"x"}');
    expect(valueText({ a: [1, 2] }, 2)).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(valueText(null)).toBe("null");
  });
});
