import { describe, expect, it } from "vitest";
import { barOf, formatMs, traceIdOf, tracedNodes } from "./trace";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

describe("trace", () => {
  it("reads the trace id of a traced record only", () => {
    expect(traceIdOf({ value: 1, headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` } })).toBe(TRACE);
    expect(
      traceIdOf({ value: 1, headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-00` } }),
    ).toBeUndefined();
    expect(traceIdOf({ value: 1, headers: {} })).toBeUndefined();
    expect(traceIdOf({ value: 1 })).toBeUndefined();
    expect(traceIdOf(null)).toBeUndefined();
    expect(traceIdOf({ headers: { traceparent: 7 } })).toBeUndefined();
  });

  it("places a span's bar in the trace, showing even an instant one", () => {
    expect(barOf({ offsetMs: 5, durationMs: 5 }, 10)).toEqual({ left: 50, width: 50 });
    expect(barOf({ offsetMs: 0, durationMs: 0 }, 10)).toEqual({ left: 0, width: 0.5 });
    expect(barOf({ offsetMs: 2, durationMs: null }, 10)).toEqual({ left: 20, width: 80 });
    expect(barOf({ offsetMs: 0, durationMs: 0 }, 0)).toEqual({ left: 0, width: 100 });
  });

  it("writes times as a person reads them", () => {
    expect(formatMs(0.4213)).toBe("0.42 ms");
    expect(formatMs(12.34)).toBe("12.3 ms");
    expect(formatMs(1250)).toBe("1.25 s");
  });
});

describe("tracedNodes", () => {
  const span = (
    nodeId: string,
    over: Partial<{ flowId: string; error: string | null; deadLettered: boolean }> = {},
  ) => ({
    flowId: "f",
    nodeId,
    error: null,
    deadLettered: false,
    ...over,
  });

  it("marks the flow's nodes a trace passed through, a failing one as bad whatever its other spans", () => {
    const nodes = tracedNodes(
      [
        span("in"),
        span("fn", { error: "boom" }),
        span("fn"),
        span("dl", { deadLettered: true }),
        span("out"),
        span("elsewhere", { flowId: "other" }),
      ],
      "f",
    );
    expect([...nodes]).toEqual([
      ["in", "ok"],
      ["fn", "bad"],
      ["dl", "bad"],
      ["out", "ok"],
    ]);
    expect(tracedNodes([], "f").size).toBe(0);
  });
});
