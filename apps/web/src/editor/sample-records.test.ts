import { describe, expect, it } from "vitest";
import { parseSample } from "./sample-records";

describe("parseSample", () => {
  it("reads records and plain values", () => {
    expect(parseSample('[{"value":{"n":1},"key":"k"}, {"n":2}, 3]')).toEqual({
      ok: true,
      records: [{ value: { n: 1 }, key: "k" }, { value: { n: 2 } }, { value: 3 }],
    });
    expect(parseSample('{"value": 1}')).toEqual({ ok: true, records: [{ value: 1 }] });
  });

  it("says what is wrong and where", () => {
    expect(parseSample("[1,")).toMatchObject({
      ok: false,
      error: expect.stringContaining("not valid JSON") as string,
    });
    expect(parseSample("[]")).toEqual({ ok: false, error: "give at least one record" });
    expect(parseSample('[{"value":1},{"value":1,"key":5}]')).toEqual({
      ok: false,
      error: "[1].key must be a string or null",
    });
    expect(parseSample('[{"value":1,"headers":{"a":1}}]')).toEqual({
      ok: false,
      error: "[0].headers must be an object of strings",
    });
  });
});
