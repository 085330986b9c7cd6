import { describe, expect, it } from "vitest";
import { formatTraceparent, incomingTraceparent, parseTraceparent, withIncomingTrace } from "./trace-context";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

describe("traceparent", () => {
  it("reads a valid header and writes it back", () => {
    const context = parseTraceparent(`00-${TRACE}-${SPAN}-01`);
    expect(context).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
    expect(context && formatTraceparent(context)).toBe(`00-${TRACE}-${SPAN}-01`);
    expect(parseTraceparent(`00-${TRACE.toUpperCase()}-${SPAN}-00`)?.traceFlags).toBe(0);
  });

  it("refuses what the W3C format forbids", () => {
    for (const bad of [
      undefined,
      "",
      `ff-${TRACE}-${SPAN}-01`,
      `00-${"0".repeat(32)}-${SPAN}-01`,
      `00-${TRACE}-${"0".repeat(16)}-01`,
      `00-${TRACE}-${SPAN}-01-extra`,
      `00-${TRACE.slice(1)}-${SPAN}-01`,
    ])
      expect(parseTraceparent(bad), String(bad)).toBeUndefined();
    // A later version may carry more fields after the flags.
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-more`)?.spanId).toBe(SPAN);
  });

  it("keeps an HTTP request's traceparent for what runs inside it", async () => {
    const seen = await withIncomingTrace(`00-${TRACE}-${SPAN}-01`, async () => {
      await Promise.resolve();
      return incomingTraceparent();
    });
    expect(seen).toBe(`00-${TRACE}-${SPAN}-01`);
    expect(incomingTraceparent()).toBeUndefined();
  });
});
