import { describe, expect, it } from "vitest";
import { withLayout } from "./layout";

describe("withLayout", () => {
  it("puts each node one column right of the node that feeds it, stacking a column's nodes", () => {
    const laid = withLayout({
      name: "router",
      nodes: [
        { id: "in", kind: "source", type: "http-ingest" },
        { id: "route", kind: "function", type: "function" },
        { id: "big", kind: "sink", type: "log" },
        { id: "small", kind: "sink", type: "log" },
      ],
      edges: [
        { id: "a", from: { node: "in", port: "out" }, to: { node: "route" } },
        { id: "b", from: { node: "route", port: "big" }, to: { node: "big" } },
        { id: "c", from: { node: "route", port: "small" }, to: { node: "small" } },
      ],
    });
    expect(laid.nodes?.map((n) => [n.id, n.position])).toEqual([
      ["in", { x: 40, y: 40 }],
      ["route", { x: 340, y: 40 }],
      ["big", { x: 640, y: 40 }],
      ["small", { x: 640, y: 190 }],
    ]);
  });

  it("keeps positions a spec already has", () => {
    const spec = {
      name: "placed",
      nodes: [{ id: "a", kind: "source" as const, type: "generator", position: { x: 5, y: 6 } }],
    };
    expect(withLayout(spec)).toBe(spec);
  });
});
