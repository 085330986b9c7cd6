import type { FlowEdge, FlowNode } from "@weir/domain";
import { describe, expect, it } from "vitest";
import { compareGraph, countsText, portsFor, rollbackTarget } from "./compare-graph";
import type { FlowDoc } from "./graph";

const node = (id: string, extra: Partial<FlowNode> = {}): FlowNode => ({
  id,
  kind: "function",
  type: "function",
  config: {},
  position: { x: 0, y: 0 },
  ...extra,
});
const edge = (id: string, from: string, to: string, port = "out"): FlowEdge => ({
  id,
  from: { node: from, port },
  to: { node: to },
});
const doc = (nodes: FlowNode[], edges: FlowEdge[] = []): FlowDoc => ({
  name: "f",
  description: "",
  nodes,
  edges,
});

describe("compareGraph", () => {
  const before = doc(
    [node("gen", { kind: "source" }), node("fn", { config: { code: "a" } }), node("old", { kind: "sink" })],
    [edge("e1", "gen", "fn"), edge("e2", "fn", "old", "big")],
  );
  const after = doc(
    [
      node("gen", { kind: "source", position: { x: 50, y: 50 } }),
      node("fn", { config: { code: "b" }, name: "router" }),
      node("new", { kind: "sink" }),
    ],
    [edge("e1", "gen", "fn"), edge("e3", "fn", "new")],
  );
  const c = compareGraph(before, after);
  const markOf = (id: string) => c.nodes.find((n) => n.node.id === id)?.mark;
  const edgeMark = (id: string) => c.edges.find((e) => e.edge.id === id)?.mark;

  it("marks the newer flow's nodes and adds the older flow's removed ones where they were", () => {
    expect(c.nodes.map((n) => [n.node.id, n.mark])).toEqual([
      ["gen", "same"],
      ["fn", "changed"],
      ["new", "added"],
      ["old", "removed"],
    ]);
    expect(c.nodes.find((n) => n.node.id === "old")?.node).toBe(before.nodes[2]);
  });

  it("says what changed on a changed node, and moving a node is no change", () => {
    expect(c.nodes.find((n) => n.node.id === "fn")?.changes).toEqual(["name", "code"]);
    expect(markOf("gen")).toBe("same");
  });

  it("marks edges added, removed, unchanged, and an edge rewired under the same id as changed", () => {
    expect(edgeMark("e1")).toBe("same");
    expect(edgeMark("e3")).toBe("added");
    expect(edgeMark("e2")).toBe("removed");
    const rewired = compareGraph(
      before,
      doc(before.nodes, [edge("e1", "gen", "old"), edge("e2", "fn", "old", "big")]),
    );
    expect(rewired.edges.find((e) => e.edge.id === "e1")?.mark).toBe("changed");
  });

  it("lists the ports each node's edges leave from, old ones included, once each", () => {
    expect(c.portsUsed.get("fn")).toEqual(["out", "big"]);
    expect(c.portsUsed.get("gen")).toEqual(["out"]);
    expect(portsFor(["out"], c.portsUsed.get("fn"))).toEqual(["out", "big"]);
    expect(portsFor(["out", "big"], undefined)).toEqual(["out", "big"]);
  });

  it("counts each mark", () => {
    expect(c.counts).toEqual({
      added: { nodes: 1, edges: 1 },
      removed: { nodes: 1, edges: 1 },
      changed: { nodes: 1, edges: 0 },
    });
    expect(countsText(c.counts)).toBe("1 node added, 1 removed, 1 changed; 1 edge added, 1 removed");
    expect(countsText(compareGraph(before, before).counts)).toBe("no differences");
  });
});

describe("rollbackTarget", () => {
  it("offers the saved side that is not the latest, the older when both are", () => {
    expect(rollbackTarget(2, 3, 3)).toBe(2);
    expect(rollbackTarget(3, 2, 3)).toBe(2);
    expect(rollbackTarget(1, 2, 3)).toBe(1);
    expect(rollbackTarget(2, "canvas", 3)).toBe(2);
  });
  it("offers none when only the latest and the canvas are compared", () => {
    expect(rollbackTarget(3, "canvas", 3)).toBeNull();
    expect(rollbackTarget(3, 3, 3)).toBeNull();
  });
});
