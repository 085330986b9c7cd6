import { describe, expect, it } from "vitest";
import { COMPACT_JSON, NOT_JSON, SPACED_JSON, checkJsonText } from "./worker/json-text.js";

/** Whether JSON.parse takes the text: what checkJsonText must agree with. */
function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A small deterministic generator (mulberry32), so a failure names a reproducible case. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ["a", "é", "\u2028", "😀", '"', "\\", "\n", "\t", "\u0001", "\ud800", " ", "{", "]", ":"];

function randomValue(next: () => number, depth = 0): unknown {
  const kind = Math.floor(next() * (depth > 3 ? 4 : 6));
  switch (kind) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2: {
      const n = [0, -0, 1.5, -12e-7, 1e21, 123456789012, Math.PI, -1][Math.floor(next() * 8)] ?? 0;
      return n;
    }
    case 3: {
      let s = "";
      const length = Math.floor(next() * 6);
      for (let i = 0; i < length; i++) s += PIECES[Math.floor(next() * PIECES.length)] ?? "";
      return s;
    }
    case 4:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      const size = Math.floor(next() * 4);
      for (let i = 0; i < size; i++) object[String(randomValue(next, 9))] = randomValue(next, depth + 1);
      return object;
    }
  }
}

describe("checkJsonText", () => {
  it("takes what JSON.stringify writes as compact JSON", () => {
    for (const text of [
      "0",
      "-0",
      "1.5e+300",
      '"x"',
      '""',
      "true",
      "false",
      "null",
      "[]",
      "{}",
      '{"a":[1,{"b":null}],"c":"\\u00e9\\n"}',
      JSON.stringify({ id: "order-1", items: [{ sku: "A-1", price: 9.5 }], tags: ["web"] }),
    ]) {
      expect(checkJsonText(text), text).toBe(COMPACT_JSON);
    }
  });

  it("tells JSON with whitespace between tokens from compact JSON", () => {
    for (const text of [
      " 1",
      "1 ",
      "[1, 2]",
      '{"a": 1}',
      '{"a" :1}',
      '{ "a":1}',
      '{"a":1 }',
      "[\n1\n]",
      "\t{}\r\n",
    ]) {
      expect(checkJsonText(text), JSON.stringify(text)).toBe(SPACED_JSON);
    }
    expect(checkJsonText('"a b"')).toBe(COMPACT_JSON);
  });

  it("rejects what JSON.parse rejects", () => {
    for (const text of [
      "",
      " ",
      "01",
      "1.",
      ".5",
      "-",
      "1e",
      "+1",
      "NaN",
      "undefined",
      "tru",
      "nulll",
      "'x'",
      '"a',
      '"\\x"',
      '"\\u12g4"',
      '"\u0001"',
      '"a\nb"',
      "[1,]",
      "[,1]",
      "[1 2]",
      '{"a":1,}',
      '{"a"}',
      "{a:1}",
      '{"a":1',
      "[",
      "]",
      "{}}",
      "1 2",
      '{"a":1]',
      "[1}",
      "\u00a01",
    ]) {
      expect(checkJsonText(text), JSON.stringify(text)).toBe(NOT_JSON);
      expect(parses(text), JSON.stringify(text)).toBe(false);
    }
  });

  it("agrees with JSON.parse on random values and on every one-character change of them", () => {
    const next = random(15);
    const alphabet = ' {}[]:,"\\0123456789.-+eEtrufalsn\nx';
    let checked = 0;
    for (let round = 0; round < 300; round++) {
      const value = randomValue(next);
      const compact = JSON.stringify(value);
      expect(checkJsonText(compact), compact).toBe(COMPACT_JSON);
      const pretty = JSON.stringify(value, null, 2);
      expect(checkJsonText(pretty), pretty).toBe(pretty === compact ? COMPACT_JSON : SPACED_JSON);
      for (let i = 0; i < compact.length; i++) {
        const removed = compact.slice(0, i) + compact.slice(i + 1);
        const replaced =
          compact.slice(0, i) + (alphabet[Math.floor(next() * alphabet.length)] ?? "") + compact.slice(i + 1);
        for (const text of [removed, replaced]) {
          expect(checkJsonText(text) !== NOT_JSON, JSON.stringify(text)).toBe(parses(text));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(5_000);
  });

  it("takes deep nesting, as JSON.parse does", () => {
    const deep = "[".repeat(50_000) + "]".repeat(50_000);
    expect(parses(deep)).toBe(true);
    expect(checkJsonText(deep)).toBe(COMPACT_JSON);
    expect(checkJsonText(deep.slice(1))).toBe(NOT_JSON);
  });
});
