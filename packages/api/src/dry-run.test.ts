import type { FlowSpec, JsonValue } from "@weir/domain";
import { describe, expect, it } from "vitest";
import type { DryRunRecord, RunFunction } from "./dry-run";
import { TRIGGER_CHUNK, dryRunFlow, topologicalOrder } from "./dry-run";

// gen → route (big | small) → bigSink, smallSink; a second source that must stay quiet.
const spec: FlowSpec = {
  name: "dry",
  description: "",
  nodes: [
    { id: "bigSink", kind: "sink", type: "log", config: {}, position: { x: 0, y: 0 } },
    {
      id: "route",
      kind: "function",
      type: "function",
      config: {},
      position: { x: 0, y: 0 },
      outputs: ["big", "small"],
    },
    { id: "gen", kind: "source", type: "generator", config: {}, position: { x: 0, y: 0 } },
    { id: "other", kind: "source", type: "generator", config: {}, position: { x: 0, y: 0 } },
    { id: "smallSink", kind: "sink", type: "log", config: {}, position: { x: 0, y: 0 } },
  ],
  edges: [
    { id: "e-in", from: { node: "gen", port: "out" }, to: { node: "route" } },
    { id: "e-other", from: { node: "other", port: "out" }, to: { node: "route" } },
    { id: "e-big", from: { node: "route", port: "big" }, to: { node: "bigSink" } },
    { id: "e-small", from: { node: "route", port: "small" }, to: { node: "smallSink" } },
  ],
};

const n = (record: DryRunRecord): number => (record.value as { n: number }).n;
const rec = (
  value: JsonValue,
): { key: null; value: JsonValue; headers: Record<string, string>; timestamp: number } => ({
  key: null,
  value,
  headers: {},
  timestamp: 1,
});

/** Routes n > 10 to big, the rest to small; fails on negative n; logs each record. */
const route: RunFunction = (_node, records) =>
  Promise.resolve({
    ok: true,
    results: records.map((r) =>
      n(r) < 0
        ? { outputs: {}, error: { message: `negative ${String(n(r))}`, line: 3 } }
        : { outputs: { [n(r) > 10 ? "big" : "small"]: [rec({ n: n(r) })] }, error: null },
    ),
    logs: records.map((r) => ({ level: "info", message: `saw ${String(n(r))}` })),
    state: {},
    metrics: { counters: {}, histograms: {} },
    timing: { instanceMs: 1, processMs: 1, perRecordUs: 1 },
  });

describe("dryRunFlow", () => {
  it("orders nodes so every edge goes forward", () => {
    const order = topologicalOrder(spec).map((node) => node.id);
    for (const edge of spec.edges)
      expect(order.indexOf(edge.from.node)).toBeLessThan(order.indexOf(edge.to.node));
    expect(order).toHaveLength(spec.nodes.length);
  });

  it("shows the records on every edge, each function's logs and failures and what each sink would write", async () => {
    const result = await dryRunFlow(
      spec,
      "gen",
      [{ value: { n: 5 } }, { value: { n: 50 } }, { value: { n: -1 } }],
      route,
    );
    const edge = (id: string): number[] => (result.edges.find((e) => e.edgeId === id)?.records ?? []).map(n);
    expect(edge("e-in")).toEqual([5, 50, -1]);
    expect(edge("e-other")).toEqual([]);
    expect(edge("e-big")).toEqual([50]);
    expect(edge("e-small")).toEqual([5]);
    const node = (id: string) => result.nodes.find((x) => x.nodeId === id);
    expect(node("route")).toMatchObject({
      recordsIn: 3,
      recordsOut: 2,
      errors: [{ record: 2, message: "negative -1", line: 3 }],
    });
    expect(node("route")?.logs.map((l) => l.message)).toEqual(["saw 5", "saw 50", "saw -1"]);
    expect(node("bigSink")?.captured?.map(n)).toEqual([50]);
    expect(node("smallSink")?.captured?.map(n)).toEqual([5]);
    // Every record is accounted for: in = out + failed at the function.
    expect(node("route")?.recordsIn).toBe(
      (node("route")?.recordsOut ?? 0) + (node("route")?.errors.length ?? 0),
    );
    expect(node("other")?.recordsOut).toBe(0);
  });

  it("runs more records than one trigger takes in chunks, numbering failures across them", async () => {
    const calls: number[] = [];
    const samples = Array.from({ length: TRIGGER_CHUNK + 5 }, (_, i) => ({
      value: { n: i === TRIGGER_CHUNK + 1 ? -1 : 1 },
    }));
    const result = await dryRunFlow(spec, "gen", samples, (node, records) => {
      calls.push(records.length);
      return route(node, records);
    });
    expect(calls).toEqual([TRIGGER_CHUNK, 5]);
    expect(result.nodes.find((x) => x.nodeId === "route")?.errors.map((e) => e.record)).toEqual([
      TRIGGER_CHUNK + 1,
    ]);
  });

  it("reports code that does not compile and passes nothing on", async () => {
    const result = await dryRunFlow(spec, "gen", [{ value: { n: 1 } }], () =>
      Promise.resolve({ ok: false, problems: [{ message: "';' expected", line: 2, column: 5 }], logs: [] }),
    );
    expect(result.nodes.find((x) => x.nodeId === "route")?.problems).toEqual([
      { message: "';' expected", line: 2, column: 5 },
    ]);
    expect(result.nodes.find((x) => x.nodeId === "smallSink")?.captured).toEqual([]);
  });

  it("refuses a node that is not a source", async () => {
    await expect(dryRunFlow(spec, "route", [{ value: 1 }], route)).rejects.toThrow("'route' is not a source");
  });
});
