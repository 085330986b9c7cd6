import { describe, expect, it } from "vitest";
import { jsonTextOf, jsonTextRecord, withHeaders } from "./json-text-record";

const TEXT = '{"id":7,"tags":["a","b"]}';
const make = () => jsonTextRecord("k", TEXT, { h: "1" }, 5);

describe("a record whose value is still JSON text", () => {
  it("gives its text until the value is read, then the parsed value only", () => {
    const record = make();
    expect(jsonTextOf(record)).toBe(TEXT);
    expect(record.value).toEqual({ id: 7, tags: ["a", "b"] });
    expect(jsonTextOf(record)).toBeUndefined();
    // One parse: every read sees the same object.
    expect(record.value).toBe(record.value);
  });

  it("reads back a value changed in place, never the stale text", () => {
    const record = make();
    (record.value as { id: number }).id = 8;
    expect(jsonTextOf(record)).toBeUndefined();
    expect(JSON.stringify(record)).toBe(
      '{"key":"k","value":{"id":8,"tags":["a","b"]},"headers":{"h":"1"},"timestamp":5}',
    );
  });

  it("takes an assigned value, dropping the text", () => {
    const record = make();
    record.value = { other: true };
    expect(jsonTextOf(record)).toBeUndefined();
    expect(record.value).toEqual({ other: true });
  });

  it("looks like a plain record to a spread, JSON.stringify, structuredClone and Object.keys", () => {
    const expected = { key: "k", value: { id: 7, tags: ["a", "b"] }, headers: { h: "1" }, timestamp: 5 };
    expect(Object.getPrototypeOf(make())).toBe(Object.prototype);
    expect(Object.keys(make())).toEqual(["key", "value", "headers", "timestamp"]);
    expect({ ...make() }).toEqual(expected);
    expect(JSON.parse(JSON.stringify(make()))).toEqual(expected);
    expect(structuredClone(make())).toEqual(expected);
    expect(make()).toEqual(expected);
    // The copies are ordinary records: nothing of the text comes along.
    expect(jsonTextOf({ ...make() })).toBeUndefined();
    expect(jsonTextOf(structuredClone(make()))).toBeUndefined();
  });

  it("cannot have its value redefined or deleted behind the text", () => {
    const record = make();
    expect(() => Object.defineProperty(record, "value", { value: 1 })).toThrow(TypeError);
    expect(Reflect.deleteProperty(record, "value")).toBe(false);
    expect(jsonTextOf(record)).toBe(TEXT);
  });

  it("keeps the text through withHeaders until read; an ordinary record is copied", () => {
    const record = make();
    const moved = withHeaders(record, { h: "2" });
    expect(jsonTextOf(moved)).toBe(TEXT);
    expect(moved).toEqual({
      key: "k",
      value: { id: 7, tags: ["a", "b"] },
      headers: { h: "2" },
      timestamp: 5,
    });
    expect(jsonTextOf(record)).toBe(TEXT); // reading the copy's value leaves the original's text alone
    const plain = { key: null, value: 1, headers: {}, timestamp: 0 };
    const copied = withHeaders(plain, { x: "y" });
    expect(copied).toEqual({ key: null, value: 1, headers: { x: "y" }, timestamp: 0 });
    expect(copied).not.toBe(plain);
    expect(jsonTextOf(plain)).toBeUndefined();
  });
});
