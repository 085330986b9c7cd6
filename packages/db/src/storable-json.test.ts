import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonValue, WeirRecord } from "@weir/domain";
import { jsonTextOf, jsonTextRecord } from "@weir/domain";
import { STORABLE_JSON_MARK, storableJsonText, toStorableJson } from "./storable-json";

/** Any JSON value, with any UTF-16 text and any double, and keys the storable encoding treats specially. */
const anyJsonValue: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.jsonValue({ stringUnit: "binary" }),
  fc.dictionary(
    fc.oneof(fc.string({ unit: "binary" }), fc.constantFrom("$bytes", "$$bytes", "__proto__", "\u0000")),
    fc.jsonValue({ stringUnit: "binary" }),
  ),
  fc.double(),
) as fc.Arbitrary<JsonValue>;

/** Values on both sides of each check storableJsonText's one walk makes before it skips toStorableJson. */
const CASES: Record<string, unknown> = {
  "a plain record": {
    key: "customer-7",
    value: { orderId: "order-7", total: 148.9, itemCount: 3, processed: true, tags: ["web", null] },
    headers: { "content-type": "application/json" },
    timestamp: 1_700_000_000_007,
  },
  "a record with undefined fields": { key: undefined, value: [1, undefined, "x"], headers: {} },
  "top-level null": null,
  "a bare string": "text",
  "a NUL in a nested string": { value: { note: "a\u0000b" } },
  "a lone surrogate in a key": { value: { ["k\ud800"]: 1 } },
  "a well-formed surrogate pair": { value: { emoji: "\ud83d\ude00" } },
  "a number the client would round": { value: { n: 0.30000000000000004 } },
  "a large exact integer": { value: { n: 123_456_789_012_345 } },
  "an unsafe integer": { value: { n: 2 ** 60 } },
  "a long negative fraction": { value: { n: -0.12345678901234 } },
  "NaN and infinities": { value: [Number.NaN, Infinity, -Infinity] },
  bytes: { key: "k", value: new Uint8Array([104, 105]) },
  "a $bytes key in JSON": { value: { $bytes: "aGk=", length: 2 } },
  "a wrapper-shaped value": { [STORABLE_JSON_MARK]: "1" },
  "a __proto__ key": JSON.parse('{"value":{"__proto__":{"x":1}}}') as unknown,
  "a null-prototype object": Object.assign(Object.create(null) as object, { a: 1 }),
  "a Date": { value: { at: new Date(1_700_000_000_000) } },
  "deep nesting": JSON.parse(`${"[".repeat(1000)}1${"]".repeat(1000)}`) as unknown,
};

describe("storableJsonText", () => {
  for (const [name, value] of Object.entries(CASES)) {
    it(`writes ${name} as JSON.stringify(toStorableJson(value)) does`, () => {
      expect(storableJsonText(value)).toBe(JSON.stringify(toStorableJson(value)));
    });
  }

  it("writes any JSON value (any UTF-16 text, any double, key or value) as the slow path does (property)", () => {
    fc.assert(
      fc.property(anyJsonValue, (v) => storableJsonText(v) === JSON.stringify(toStorableJson(v))),
      { numRuns: 2000 },
    );
  });

  it("keeps the plain record's text unwrapped and wraps the unstorable one", () => {
    expect(JSON.parse(storableJsonText(CASES["a plain record"]))).toEqual(CASES["a plain record"]);
    expect(JSON.parse(storableJsonText(CASES["a NUL in a nested string"]))).toHaveProperty(
      STORABLE_JSON_MARK,
    );
  });
});

describe("storableJsonText of a record whose value is still JSON text", () => {
  const textRecord = (value: JsonValue, headers: Record<string, string> = {}): WeirRecord =>
    jsonTextRecord("k", JSON.stringify(value), headers, 1_700_000_000_000);
  /** The same record with its value parsed, as the slow path writes it. */
  const slow = (value: JsonValue, headers: Record<string, string> = {}): string =>
    JSON.stringify(
      toStorableJson({
        key: "k",
        value: JSON.parse(JSON.stringify(value)) as JsonValue,
        headers,
        timestamp: 1_700_000_000_000,
      }),
    );

  it("writes the text as it is, without reading the value", () => {
    const record = textRecord({ orderId: "order-7", total: 148.9, tags: ["web", null] }, { h: "v" });
    expect(storableJsonText(record)).toBe(
      slow({ orderId: "order-7", total: 148.9, tags: ["web", null] }, { h: "v" }),
    );
    expect(jsonTextOf(record)).toBe('{"orderId":"order-7","total":148.9,"tags":["web",null]}');
  });

  it("takes the slow path for a value or a header that needs the wrapper or the byte escape", () => {
    const cases: [JsonValue, Record<string, string>][] = [
      [{ note: "a\u0000b" }, {}],
      [{ ["k\ud800"]: 1 }, {}],
      [{ n: 0.30000000000000004 }, {}],
      [{ n: -0.12345678901234 }, {}],
      [{ $bytes: "aGk=", length: 2 }, {}],
      [JSON.parse('{"__proto__":{"x":1}}') as JsonValue, {}],
      [1, { $bytes: "x" }],
      [1, { nul: "\u0000" }],
    ];
    for (const [value, headers] of cases)
      expect(storableJsonText(textRecord(value, headers))).toBe(slow(value, headers));
  });

  it("writes any JSON value as the slow path writes it parsed (property)", () => {
    fc.assert(
      fc.property(anyJsonValue, (v) => storableJsonText(textRecord(v)) === slow(v)),
      { numRuns: 2000 },
    );
  });

  it("writes a value that was read and changed from the value, not from the stale text", () => {
    const record = textRecord({ n: 1 });
    (record.value as { n: number }).n = 2;
    expect(jsonTextOf(record)).toBeUndefined();
    expect(JSON.parse(storableJsonText(record))).toEqual({
      key: "k",
      value: { n: 2 },
      headers: {},
      timestamp: 1_700_000_000_000,
    });
  });
});
