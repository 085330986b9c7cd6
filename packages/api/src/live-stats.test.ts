import type { NodeStats as NodeStatsRow } from "@weir/db";
import { builtinRegistry } from "@weir/connectors/definitions";
import type { DeploymentStatus, FlowSpec } from "@weir/domain";
import { describe, expect, it } from "vitest";
import { LiveStatsTracker } from "./live-stats";

const spec: FlowSpec = {
  name: "live",
  description: "",
  nodes: [
    { id: "gen", kind: "source", type: "generator", config: {}, position: { x: 0, y: 0 } },
    {
      id: "route",
      kind: "function",
      type: "function",
      config: {},
      position: { x: 0, y: 0 },
      outputs: ["even", "odd"],
    },
    { id: "fn", kind: "function", type: "function", config: {}, position: { x: 0, y: 0 } },
    { id: "out", kind: "sink", type: "log", config: {}, position: { x: 0, y: 0 } },
  ],
  edges: [
    { id: "e-gen-route", from: { node: "gen", port: "out" }, to: { node: "route" } },
    { id: "e-route-fn", from: { node: "route", port: "even" }, to: { node: "fn" } },
    { id: "e-fn-out", from: { node: "fn", port: "out" }, to: { node: "out" } },
  ],
};

const deployment = (
  id: string,
  actualState: DeploymentStatus["actualState"] = "running",
): DeploymentStatus => ({
  id,
  flowId: "f",
  version: 1,
  desiredState: "running",
  actualState,
  error: null,
  engineId: "e1",
  createdAt: new Date(0).toISOString(),
  startedAt: null,
  stoppedAt: null,
});

function row(
  nodeId: string,
  at: number,
  recordsIn: number,
  recordsOut: number,
  engineId = "e1",
): NodeStatsRow {
  return {
    deploymentId: "d",
    nodeId,
    engineId,
    recordsIn: BigInt(recordsIn),
    recordsOut: BigInt(recordsOut),
    errors: 0n,
    rate: 0,
    lastError: null,
    lastErrorAt: null,
    metrics: {},
    lag: null,
    partitionLag: null,
    updatedAt: new Date(at),
  };
}

describe("LiveStatsTracker", () => {
  it("sends totals at once and rates from the second flush on, per node and per single-port edge", () => {
    const tracker = new LiveStatsTracker(builtinRegistry);
    const first = tracker.snapshot(
      { deployment: deployment("d1"), spec, rows: [row("gen", 1000, 0, 10), row("fn", 1000, 4, 4)] },
      new Date(1100),
    );
    expect(first.nodes.find((n) => n.nodeId === "gen")).toMatchObject({ recordsOut: 10, outPerSec: null });
    expect(first.nodes.find((n) => n.nodeId === "out")).toMatchObject({ recordsIn: 0, inPerSec: null });

    const second = tracker.snapshot(
      {
        deployment: deployment("d1"),
        spec,
        rows: [row("gen", 2000, 0, 30), row("fn", 2000, 9, 9), row("fn", 2000, 5, 5, "e2")],
      },
      new Date(2100),
    );
    expect(second.at).toBe(new Date(2100).toISOString());
    expect(second.nodes.find((n) => n.nodeId === "gen")).toMatchObject({ recordsOut: 30, outPerSec: 20 });
    // e2 is new: its totals count, its rate waits for its second flush.
    expect(second.nodes.find((n) => n.nodeId === "fn")).toMatchObject({ recordsIn: 14, inPerSec: 5 });
    expect(second.edges).toEqual([
      { edgeId: "e-gen-route", perSec: 20, total: 30 },
      // route has two ports and engines count outputs per node: the split is unknown.
      { edgeId: "e-route-fn", perSec: null, total: null },
      { edgeId: "e-fn-out", perSec: 5, total: 14 },
    ]);
  });

  it("reports zero rates for a deployment that is not running, and starts over on a new one", () => {
    const tracker = new LiveStatsTracker(builtinRegistry);
    tracker.snapshot({ deployment: deployment("d1"), spec, rows: [row("gen", 1000, 0, 0)] }, new Date(1000));
    const stopped = tracker.snapshot(
      { deployment: deployment("d1", "stopped"), spec, rows: [row("gen", 2000, 0, 50)] },
      new Date(2000),
    );
    expect(stopped.nodes.find((n) => n.nodeId === "gen")).toMatchObject({ recordsOut: 50, outPerSec: 0 });

    const redeployed = tracker.snapshot(
      { deployment: deployment("d2"), spec, rows: [row("gen", 3000, 0, 5)] },
      new Date(3000),
    );
    expect(redeployed.deployment?.id).toBe("d2");
    expect(redeployed.nodes.find((n) => n.nodeId === "gen")).toMatchObject({
      recordsOut: 5,
      outPerSec: null,
    });
  });

  it("is empty without a deployment", () => {
    expect(new LiveStatsTracker(builtinRegistry).snapshot(null, new Date(5))).toEqual({
      at: new Date(5).toISOString(),
      deployment: null,
      nodes: [],
      edges: [],
    });
  });
});
