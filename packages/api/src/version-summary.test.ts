import { describe, expect, it } from "vitest";
import { summarizeChange } from "./version-summary";

const node = (id: string, config: Record<string, unknown> = {}) => ({
  id,
  kind: "function",
  type: "function",
  config,
  position: { x: 0, y: 0 },
});
const edge = (id: string, from: string, to: string) => ({
  id,
  from: { node: from, port: "out" },
  to: { node: to },
});

describe("summarizeChange", () => {
  it("counts nodes and edges added, removed and changed by id", () => {
    const before = { name: "a", nodes: [node("x"), node("y"), node("z")], edges: [edge("e1", "x", "y")] };
    const after = {
      name: "a",
      nodes: [node("x"), node("y", { code: "changed" }), node("w")],
      edges: [edge("e1", "x", "w"), edge("e2", "w", "y")],
    };
    expect(summarizeChange(before, after)).toEqual({
      nodes: { added: 1, removed: 1, changed: 1 },
      edges: { added: 1, removed: 0, changed: 1 },
      renamed: false,
    });
  });

  it("treats a first version as all added, and an identical copy as no change", () => {
    const spec = { name: "a", nodes: [node("x")], edges: [] };
    expect(summarizeChange(null, spec).nodes).toEqual({ added: 1, removed: 0, changed: 0 });
    expect(summarizeChange(spec, { ...spec })).toEqual({
      nodes: { added: 0, removed: 0, changed: 0 },
      edges: { added: 0, removed: 0, changed: 0 },
      renamed: false,
    });
    expect(summarizeChange(spec, { ...spec, name: "b" }).renamed).toBe(true);
  });
});
