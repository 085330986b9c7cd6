import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics";
import { NodeCounters } from "./stats";

/** The value of one series in Prometheus' text format, or undefined when /metrics has none. */
function seriesValue(text: string, name: string, deployment: string): number | undefined {
  const line = text
    .split("\n")
    .find((l) => l.startsWith(`${name}{`) && l.includes(`deployment="${deployment}"`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("the engine's observed function metrics", () => {
  it("counts a running node's batches and restarts, and drops its series once it no longer runs", async () => {
    let running = [new NodeCounters("dep-old", "fn", "in"), new NodeCounters("dep-new", "fn", "in")];
    const metrics = createMetrics("engine-1", () => running);
    for (const deployment of ["dep-old", "dep-new"]) {
      metrics.observe.batch(deployment, "fn", 0.002);
      metrics.observe.batch(deployment, "fn", 0.003);
      metrics.observe.sandboxRestarts(deployment, "fn", 2);
    }
    let text = await metrics.registry.metrics();
    expect(seriesValue(text, "weir_function_batch_seconds_count", "dep-old")).toBe(2);
    expect(seriesValue(text, "weir_function_batch_seconds_sum", "dep-old")).toBeCloseTo(0.005);
    expect(seriesValue(text, "weir_function_sandbox_restarts_total", "dep-old")).toBe(2);

    // The old version stopped on this engine: its series leave; the new one's stay as they were.
    running = running.filter((c) => c.deploymentId !== "dep-old");
    text = await metrics.registry.metrics();
    expect(seriesValue(text, "weir_function_batch_seconds_count", "dep-old")).toBeUndefined();
    expect(seriesValue(text, "weir_function_sandbox_restarts_total", "dep-old")).toBeUndefined();
    expect(seriesValue(text, "weir_function_batch_seconds_count", "dep-new")).toBe(2);
    expect(seriesValue(text, "weir_function_sandbox_restarts_total", "dep-new")).toBe(2);

    // Observed again (the node runs here again), it counts from zero.
    running = [...running, new NodeCounters("dep-old", "fn", "in")];
    metrics.observe.batch("dep-old", "fn", 0.001);
    text = await metrics.registry.metrics();
    expect(seriesValue(text, "weir_function_batch_seconds_count", "dep-old")).toBe(1);
  });
});
