import { describe, expect, it } from "vitest";
import type { EngineSpan } from "./trace-merge";
import { mergeTrace } from "./trace-merge";

function span(spanId: string, parentSpanId: string | null, start: number, end: number | null): EngineSpan {
  return {
    spanId,
    parentSpanId,
    name: `function ${spanId}`,
    flowId: "f",
    flowVersion: 1,
    deploymentId: "d",
    nodeId: spanId,
    nodeType: "function",
    kind: "function",
    start,
    end,
    batch: null,
    batchSize: null,
    error: null,
    deadLettered: false,
    attempts: null,
  };
}

describe("mergeTrace", () => {
  it("merges engines' spans once each, oldest first, with offsets, durations and depths", () => {
    const merged = mergeTrace([
      [span("b", "a", 1005.5, 1007), span("a", "caller", 1000, 1000)],
      [span("c", "b", 1007.25, null), span("a", "caller", 1000, 1000)],
    ]);
    expect(merged.map((s) => [s.spanId, s.offsetMs, s.durationMs, s.depth])).toEqual([
      ["a", 0, 0, 0],
      ["b", 5.5, 1.5, 1],
      ["c", 7.25, null, 2],
    ]);
    expect(merged[0]).not.toHaveProperty("end");
  });

  it("ends a parent cycle instead of looping (a hostile traceparent)", () => {
    const merged = mergeTrace([[span("x", "y", 1, 2), span("y", "x", 2, 3)]]);
    expect(merged).toHaveLength(2);
    expect(merged.every((s) => Number.isFinite(s.depth))).toBe(true);
  });

  it("is empty for a trace nobody holds", () => {
    expect(mergeTrace([[], []])).toEqual([]);
  });
});
