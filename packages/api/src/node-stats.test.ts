import { describe, expect, it } from "vitest";
import { mergeMetrics } from "./node-stats";

describe("mergeMetrics", () => {
  it("keeps user-chosen names as plain keys, even __proto__", () => {
    const merged = mergeMetrics([
      JSON.parse('{ "counters": { "__proto__": 2, "n": 1 } }'),
      JSON.parse(
        '{ "counters": { "__proto__": 3 }, "histograms": { "constructor": { "count": 1, "sum": 4, "min": 4, "max": 4 } } }',
      ),
    ]);
    expect(Object.keys(merged.counters)).toEqual(["__proto__", "n"]);
    expect(JSON.parse(JSON.stringify(merged))).toEqual(
      JSON.parse(
        '{ "counters": { "__proto__": 5, "n": 1 }, "histograms": { "constructor": { "count": 1, "sum": 4, "min": 4, "max": 4 } } }',
      ),
    );
  });

  it("skips what does not fit and reports without metrics", () => {
    expect(
      mergeMetrics([null, {}, "x", { counters: [1], histograms: { h: { count: -1, sum: 0 } } }]),
    ).toEqual({
      counters: {},
      histograms: {},
    });
  });
});
