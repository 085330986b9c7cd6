import type { FlowEdge, FlowNode } from "@weir/domain";
import { describe, expect, it } from "vitest";
import type { FlowDoc } from "./graph";
import { diffFlows, diffLines, edgeText } from "./version-diff";

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
const doc = (nodes: FlowNode[], edges: FlowEdge[] = [], name = "f"): FlowDoc => ({
  name,
  description: "",
  nodes,
  edges,
});

describe("diffLines", () => {
  it("keeps common lines and marks what was removed and added", () => {
    expect(diffLines("a\nb\nc", "a\nB\nc\nd")).toEqual([
      { kind: "same", text: "a" },
      { kind: "removed", text: "b" },
      { kind: "added", text: "B" },
      { kind: "same", text: "c" },
      { kind: "added", text: "d" },
    ]);
  });
  it("gives only same lines for equal text, and all added from nothing", () => {
    expect(diffLines("x\ny", "x\ny").every((l) => l.kind === "same")).toBe(true);
    expect(
      diffLines("", "p\nq")
        .filter((l) => l.kind === "added")
        .map((l) => l.text),
    ).toEqual(["p", "q"]);
  });
});

describe("diffFlows", () => {
  it("finds added, removed and renamed nodes and edges", () => {
    const before = doc(
      [node("a"), node("b", { name: "Bee" }), node("c")],
      [edge("e1", "a", "b"), edge("e2", "b", "c")],
    );
    const after = doc(
      [node("a"), node("b", { name: "Bumble" }), node("d")],
      [edge("e1", "a", "b"), edge("e3", "b", "d")],
    );
    const diff = diffFlows(before, after);
    expect(diff.nodesAdded.map((n) => n.id)).toEqual(["d"]);
    expect(diff.nodesRemoved.map((n) => n.id)).toEqual(["c"]);
    expect(diff.nodesChanged).toEqual([{ id: "b", label: "Bumble", renamedFrom: "Bee", fields: [] }]);
    expect(diff.edgesAdded.map((e) => e.id)).toEqual(["e3"]);
    expect(diff.edgesRemoved.map((e) => e.id)).toEqual(["e2"]);
    expect(diff.empty).toBe(false);
  });

  it("lists config changes field by field and diffs the code by line", () => {
    const before = doc([node("f", { config: { code: "one\ntwo", batch: 1, mode: "x" } })]);
    const after = doc([node("f", { config: { code: "one\nTWO", batch: 5, extra: [1] }, outputs: ["big"] })]);
    const [change] = diffFlows(before, after).nodesChanged;
    expect(change?.fields).toEqual([
      { field: "config.batch", before: "1", after: "5" },
      { field: "config.extra", before: undefined, after: "[1]" },
      { field: "config.mode", before: "x", after: undefined },
      { field: "outputs", before: undefined, after: '["big"]' },
    ]);
    expect(change?.code).toEqual([
      { kind: "same", text: "one" },
      { kind: "removed", text: "two" },
      { kind: "added", text: "TWO" },
    ]);
  });

  it("reports an edge moved to another port, and ignores moved nodes", () => {
    const before = doc([node("a"), node("b", { position: { x: 1, y: 1 } })], [edge("e", "a", "b", "out")]);
    const after = doc([node("a"), node("b", { position: { x: 90, y: 9 } })], [edge("e", "a", "b", "big")]);
    const diff = diffFlows(before, after);
    expect(diff.nodesChanged).toEqual([]);
    const [moved] = diff.edgesChanged;
    expect(diff.edgesChanged).toHaveLength(1);
    expect(moved && edgeText(moved.after, after)).toBe("a.big → b");
  });

  it("is empty for the same flow, and names a flow rename", () => {
    const flow = doc([node("a", { config: { code: "x" } })], [], "one");
    expect(diffFlows(flow, structuredClone(flow)).empty).toBe(true);
    const diff = diffFlows(flow, { ...flow, name: "two" });
    expect(diff.renamed).toEqual({ before: "one", after: "two" });
    expect(diff.empty).toBe(false);
  });
});
