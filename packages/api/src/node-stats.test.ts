import { describe, expect, it } from "vitest";
import type { NodeStats as NodeStatsRow } from "@weir/db";
import { mergeMetrics, sumNodeStats } from "./node-stats";

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

describe("sumNodeStats lag", () => {
  const now = new Date("2026-11-21T12:00:00Z");
  function row(engineId: string, lag: number | null, partitionLag: unknown, ageMs = 0): NodeStatsRow {
    return {
      deploymentId: "d",
      nodeId: "fn",
      engineId,
      recordsIn: 10n,
      recordsOut: 10n,
      errors: 0n,
      rate: 1,
      lastError: null,
      lastErrorAt: null,
      metrics: {},
      lag: lag === null ? null : BigInt(lag),
      partitionLag: partitionLag as NodeStatsRow["partitionLag"],
      updatedAt: new Date(now.getTime() - ageMs),
    };
  }

  it("sums the lag of live engines, each for its own partitions, and leaves it null in memory", () => {
    const rows = [
      row("a", 5, { "t/0": 5 }),
      row("b", 7, { "t/1": 3, "t/2": 4 }),
      row("dead", 100, { "t/0": 100 }, 60_000),
    ];
    const [fn] = sumNodeStats(["fn"], rows, now, { partitions: true });
    expect(fn?.lag).toBe(12);
    expect(fn?.partitionLag).toEqual({ "t/0": 5, "t/1": 3, "t/2": 4 });
    expect(sumNodeStats(["fn"], [row("a", null, null)], now)[0]?.lag).toBeNull();
    expect(sumNodeStats(["fn"], rows, now)[0]).not.toHaveProperty("partitionLag");
  });
});

describe("sumNodeStats accounting", () => {
  it("sums where each engine's records went, and reads rows without it as zeros", () => {
    const now = new Date("2026-11-21T12:00:00Z");
    const row = (engineId: string, metrics: unknown): NodeStatsRow => ({
      deploymentId: "d",
      nodeId: "fn",
      engineId,
      recordsIn: 10n,
      recordsOut: 8n,
      errors: 2n,
      rate: 0,
      lastError: null,
      lastErrorAt: null,
      metrics: metrics as NodeStatsRow["metrics"],
      lag: null,
      partitionLag: null,
      updatedAt: now,
    });
    const [fn] = sumNodeStats(
      ["fn"],
      [
        row("a", { accounting: { completed: 7, deadLettered: 2, inFlight: 1 } }),
        row("b", { counters: {}, accounting: { completed: 3, deadLettered: 0, inFlight: 0 } }),
        row("old", {}),
      ],
      now,
    );
    expect(fn?.accounting).toEqual({ completed: 10, deadLettered: 2, inFlight: 1 });
  });
});
