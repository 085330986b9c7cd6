import { describe, expect, it } from "vitest";
import { jsonTextOf, jsonTextRecord } from "@weir/domain";
import { parseCallResult } from "./call-result";
import { encodeBatchWithBytes, hasByteOutputs } from "./guest";

const result = (outputs: string, bytes: number): string =>
  `{"outcomes":[{"ok":true,"outputs":[${outputs}]}],"failures":[],"writes":[],"logs":[],"counters":{},"histograms":[],"bytes":${bytes}}`;

describe("byte values across the sandbox boundary", () => {
  it("encodes a batch's byte values into one array, the records pointing into it", () => {
    const { text, bytes } = encodeBatchWithBytes([
      { key: "a", value: Uint8Array.from([1, 2]), headers: {}, timestamp: 1 },
      { key: "b", value: { json: true }, headers: {}, timestamp: 2 },
      { key: "c", value: Uint8Array.from([3]), headers: { h: "v" }, timestamp: 3 },
    ]);
    expect([...(bytes ?? [])]).toEqual([1, 2, 3]);
    expect(text.split("\n")).toEqual([
      "3",
      '{"key":"a","bytes":[0,2],"headers":{},"timestamp":1}',
      '{"key":"b","value":{"json":true},"headers":{},"timestamp":2}',
      '{"key":"c","bytes":[2,1],"headers":{"h":"v"},"timestamp":3}',
    ]);
    expect(encodeBatchWithBytes([{ key: null, value: 1, headers: {}, timestamp: 0 }]).bytes).toBeUndefined();
  });

  it("turns byte outputs back into views of the call's output array", () => {
    const text = result(
      '{"port":"out","record":{"key":"k","bytes":[1,2],"headers":{},"timestamp":5}},{"port":"out","record":{"key":"k","value":"json","headers":{},"timestamp":5}}',
      3,
    );
    expect(hasByteOutputs(text)).toBe(true);
    const parsed = parseCallResult(text, Uint8Array.from([9, 8, 7]));
    const outcome = parsed.outcomes[0];
    if (!outcome?.ok) throw new Error("expected a successful outcome");
    expect(outcome.outputs.map((o) => o.record.value)).toEqual([Uint8Array.from([8, 7]), "json"]);
    expect(outcome.outputs[0]?.record).not.toHaveProperty("bytes");
  });

  it("says whether a result has byte outputs from its tail only", () => {
    expect(hasByteOutputs(result("", 0).replace(',"bytes":0', ""))).toBe(false);
    expect(hasByteOutputs(`${result("", 4).slice(0, -1)},"fatal":"memory"}`)).toBe(true);
  });

  it("refuses output bytes of the wrong length or a view outside them", () => {
    const text = result('{"port":"out","record":{"key":null,"bytes":[2,5],"headers":{},"timestamp":0}}', 4);
    expect(() => parseCallResult(text, new Uint8Array(3))).toThrow(
      "the guest answered 3 output bytes, 4 expected",
    );
    expect(() => parseCallResult(text, new Uint8Array(4))).toThrow(
      "the guest answered a byte value outside its output bytes ([2, 5])",
    );
  });
});

describe("JSON output values kept as the guest's text", () => {
  /** A result as the guest core frames it: "<length>\n<values><result JSON>". */
  const framed = (values: string, outputs: string, tail = ""): string =>
    `${values.length}\n${values}{"outcomes":[{"ok":true,"outputs":[${outputs}]}],"failures":[],"writes":[],"logs":[],"counters":{},"histograms":[]${tail}}`;

  it("slices each value's text out of the result, parsing it only when read", () => {
    const text = framed(
      '{"a":1}[2,3]',
      '{"port":"out","record":{"key":"k","json":[0,7],"headers":{"h":"v"},"timestamp":5}},{"port":"err","record":{"key":null,"json":[7,5],"headers":{},"timestamp":6}}',
    );
    const outcome = parseCallResult(text).outcomes[0];
    if (!outcome?.ok) throw new Error("expected a successful outcome");
    expect(outcome.outputs.map((o) => jsonTextOf(o.record))).toEqual(['{"a":1}', "[2,3]"]);
    expect(outcome.outputs).toEqual([
      { port: "out", record: { key: "k", value: { a: 1 }, headers: { h: "v" }, timestamp: 5 } },
      { port: "err", record: { key: null, value: [2, 3], headers: {}, timestamp: 6 } },
    ]);
    expect(outcome.outputs[0]?.record).not.toHaveProperty("json");
  });

  it("reads a framed result with byte outputs too (the JSON stays last)", () => {
    const text = framed(
      '"x"',
      '{"port":"out","record":{"key":"k","json":[0,3],"headers":{},"timestamp":5}},{"port":"out","record":{"key":"k","bytes":[0,1],"headers":{},"timestamp":5}}',
      ',"bytes":1',
    );
    expect(hasByteOutputs(text)).toBe(true);
    const outcome = parseCallResult(text, Uint8Array.from([9])).outcomes[0];
    if (!outcome?.ok) throw new Error("expected a successful outcome");
    expect(outcome.outputs.map((o) => o.record.value)).toEqual(["x", Uint8Array.from([9])]);
  });

  it("refuses a value outside the values and a frame that does not add up", () => {
    expect(() =>
      parseCallResult(
        framed("[1]", '{"port":"out","record":{"key":null,"json":[1,3],"headers":{},"timestamp":0}}'),
      ),
    ).toThrow("the guest answered a JSON value outside its values ([1, 3])");
    expect(() => parseCallResult("99\n[1]{}")).toThrow("neither JSON nor framed values");
  });

  it("writes a batch with such a record's text as it is, and a read value from the value", () => {
    const unread = jsonTextRecord("k", '{"n":1}', { h: "v" }, 3);
    const read = jsonTextRecord("k", '{"n":1}', {}, 4);
    (read.value as { n: number }).n = 2;
    const { text } = encodeBatchWithBytes([unread, read]);
    expect(jsonTextOf(unread)).toBe('{"n":1}');
    expect(text.split("\n")).toEqual([
      "2",
      '{"key":"k","value":{"n":1},"headers":{"h":"v"},"timestamp":3}',
      '{"key":"k","value":{"n":2},"headers":{},"timestamp":4}',
    ]);
  });
});
