// The engine's operational endpoints (issue 12): liveness, readiness and Prometheus metrics whose
// counters agree with the records that went through a flow.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();
let engine: EngineProcess;
let url = "";

beforeAll(async () => {
  engine = await startEngine(t.url);
  url = await eventually(
    async () => (await t.api.engine.list()).find((e) => e.alive)?.ingestUrl,
    "the engine's URL",
  );
});
afterAll(async () => {
  await engine.stop();
});

/** The value of one sample of the Prometheus text, or undefined when it is not there. */
function sample(text: string, metric: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${metric}{`)) continue;
    const labelText = line.slice(metric.length + 1, line.lastIndexOf("}"));
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`)))
      return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

describe("engine observability", () => {
  it("is live and ready, and its metrics count the records of a flow", async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });

    const flow = await t.api.flow.create({
      name: "metrics",
      nodes: [
        { id: "gen", kind: "source", type: "generator", config: { intervalMs: 0, count: 300 } },
        {
          id: "fn",
          kind: "function",
          type: "function",
          config: {
            code: [
              "export default (r) => {",
              '  if (r.value.seq % 3 === 0) throw new Error("every third");',
              "  if (r.value.seq === 7) for (;;);",
              "  return r;",
              "};",
            ].join("\n"),
            maxAttempts: 1,
            timeoutMs: 200,
          },
        },
        { id: "out", kind: "sink", type: "log", config: { keep: 1000 } },
      ],
      edges: [
        { id: "e1", from: { node: "gen", port: "out" }, to: { node: "fn" } },
        { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
      ],
    });
    await t.api.deployment.deploy({ flowId: flow.id });
    const deployment = await eventually(async () => {
      const status = await t.api.deployment.status({ flowId: flow.id });
      return status?.actualState === "running" ? status : undefined;
    }, "running");

    const text = await eventually(async () => {
      const response = await fetch(`${url}/metrics`);
      const body = await response.text();
      const written = sample(body, "weir_node_records_out_total", { deployment: deployment.id, node: "out" });
      return written === 199 ? body : undefined;
    }, "199 records written by the sink, in /metrics");
    const of = (metric: string, node: string): number | undefined =>
      sample(text, metric, { deployment: deployment.id, node });
    expect(of("weir_node_records_out_total", "gen")).toBe(300);
    expect(of("weir_node_records_in_total", "fn")).toBe(300);
    // Every third record throws, and record 7 loops forever: its sandbox is thrown away.
    expect(of("weir_node_dead_lettered_total", "fn")).toBe(101);
    expect(of("weir_node_records_out_total", "fn")).toBe(199);
    expect(of("weir_node_records_in_total", "out")).toBe(199);
    expect(of("weir_function_sandbox_restarts_total", "fn")).toBeGreaterThanOrEqual(1);
    expect(of("weir_function_batch_seconds_count", "fn")).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^weir_engine_process_resident_memory_bytes\{engine="[^"]+"\} \d+/m);
    await t.api.deployment.stop({ flowId: flow.id });
  });
});
