import { describe, expect, it } from "vitest";
import type { SpanNode, SpanRecord } from "./span-store";
import { SpanStore } from "./span-store";

const node: SpanNode = {
  flowId: "f",
  flowVersion: 1,
  deploymentId: "d",
  nodeId: "fn",
  nodeType: "function",
  kind: "function",
  name: "function fn",
};

function span(traceId: string, spanId: string): SpanRecord {
  return {
    traceId,
    spanId,
    parentSpanId: undefined,
    node,
    start: 0,
    end: undefined,
    batch: undefined,
    batchSize: undefined,
    error: undefined,
    deadLettered: false,
    attempts: undefined,
  };
}

describe("span store", () => {
  it("keeps a trace's spans in the order they started", () => {
    const store = new SpanStore({ maxTraces: 10, maxSpans: 100 });
    store.add(span("t1", "a"));
    store.add(span("t2", "x"));
    store.add(span("t1", "b"));
    expect(store.trace("t1").map((s) => s.spanId)).toEqual(["a", "b"]);
    expect(store.trace("nope")).toEqual([]);
    expect(store.size).toEqual({ traces: 2, spans: 3 });
  });

  it("drops the oldest traces whole past its trace limit and its span limit", () => {
    const byTraces = new SpanStore({ maxTraces: 3, maxSpans: 100 });
    for (let i = 0; i < 5000; i++) byTraces.add(span(`t${i}`, "a"));
    expect(byTraces.size).toEqual({ traces: 3, spans: 3 });
    expect(byTraces.trace("t4996")).toEqual([]);
    expect(byTraces.trace("t4997")).toHaveLength(1);

    const bySpans = new SpanStore({ maxTraces: 100, maxSpans: 4 });
    for (const id of ["a", "b", "c"]) bySpans.add(span("old", id));
    bySpans.add(span("new", "d"));
    bySpans.add(span("new", "e"));
    expect(bySpans.trace("old")).toEqual([]);
    expect(bySpans.size).toEqual({ traces: 1, spans: 2 });
  });

  it("refuses limits below one", () => {
    expect(() => new SpanStore({ maxTraces: 0, maxSpans: 10 })).toThrow(
      /at least 1 \(got 0 traces, 10 spans\)/,
    );
  });
});
