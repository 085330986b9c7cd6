import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dateFromJson, timestampFromJson, timestampToIso } from "./time";

describe("timestamps", () => {
  it("format and parse milliseconds exactly as Date does, across years 0001-9999", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62135596800000, max: 253402300799999 }), (ms) => {
        const iso = timestampToIso(ms, 1);
        expect(iso).toBe(new Date(ms).toISOString());
        expect(timestampFromJson(iso, 1, "$")).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses a day past the month's end and text that is not a timestamp", () => {
    expect(() => timestampFromJson("2023-02-29T00:00:00.000Z", 1, "$.at")).toThrow(
      "$.at: expected an ISO 8601 timestamp",
    );
    expect(() => timestampFromJson("yesterday", 1, "$")).toThrow();
    expect(() => dateFromJson("2023-02-29", "$.day")).toThrow('$.day: expected a date like "2024-05-01"');
    expect(dateFromJson("2024-02-29", "$")).toBe(19782);
  });

  it("keeps microseconds and other zones", () => {
    expect(timestampToIso(-1, 1000)).toBe("1969-12-31T23:59:59.999999Z");
    expect(timestampFromJson("1969-12-31T23:59:59.999999Z", 1000, "$")).toBe(-1);
    expect(timestampFromJson("2024-05-01T14:00:00+02:00", 1, "$")).toBe(Date.parse("2024-05-01T12:00:00Z"));
  });
});
