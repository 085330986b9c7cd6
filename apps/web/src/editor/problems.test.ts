import { describe, expect, it } from "vitest";
import { placeProblems, problemsOfError } from "./problems";

const sent = {
  nodes: [
    { id: "ticks", kind: "source" as const, type: "generator", config: {}, position: { x: 0, y: 0 } },
    { id: "double", kind: "function" as const, type: "function", config: {}, position: { x: 0, y: 0 } },
  ],
  edges: [{ id: "e1", from: { node: "ticks", port: "out" }, to: { node: "double" } }],
};

describe("placeProblems", () => {
  it("puts node, field, edge and flow problems where they belong, by id", () => {
    const placed = placeProblems(
      [
        {
          path: ["nodes", 1, "config", "code"],
          message: "line 1, column 5: ';' expected",
          line: 1,
          column: 5,
        },
        { path: ["nodes", 0, "type"], message: "unknown type" },
        { path: ["edges", 0, "from", "port"], message: "no such port" },
        { path: ["name"], message: "must not be empty" },
        { path: ["nodes", 7], message: "out of range" },
      ],
      sent,
    );
    expect(placed.byNode.get("double")).toEqual([
      expect.objectContaining({ field: "code", line: 1, nodeId: "double" }),
    ]);
    expect(placed.byNode.get("ticks")?.[0]?.field).toBeUndefined();
    expect(placed.byEdge.get("e1")?.[0]?.message).toBe("no such port");
    expect(placed.flow.map((p) => p.message)).toEqual(["must not be empty", "out of range"]);
    expect(placed.all).toHaveLength(5);
  });

  it("keeps notes apart: listed with where they are, marking no node", () => {
    const placed = placeProblems([], sent, [
      {
        path: ["nodes", 0, "config", "registry"],
        pathString: "nodes[0].config.registry",
        message: "port 'out' of 'ticks' is untyped",
        code: "registry_type_skipped",
      },
    ]);
    expect(placed.all).toEqual([]);
    expect(placed.byNode.size).toBe(0);
    expect(placed.notes).toEqual([
      expect.objectContaining({ nodeId: "ticks", field: "registry", where: "ticks › registry" }),
    ]);
  });

  it("says where a problem is by the node's name, not its index", () => {
    const named = {
      ...sent,
      nodes: sent.nodes.map((n) => (n.id === "double" ? { ...n, name: "transform" } : n)),
    };
    const placed = placeProblems(
      [
        { path: ["nodes", 1, "config", "code"], message: "no code" },
        { path: ["nodes", 0, "type"], message: "unknown type" },
        { path: ["nodes", 1, "outputs", 1], message: "duplicate port" },
        { path: ["edges", 0, "from", "port"], message: "no such port" },
        { path: ["name"], message: "empty" },
      ],
      named,
    );
    expect(placed.all.map((p) => p.where)).toEqual([
      "transform › code",
      "ticks › type",
      "transform › outputs[1]",
      "edge ticks › out → transform",
      "flow › name",
    ]);
  });
});

describe("problemsOfError", () => {
  it("reads error.data.problems and ignores anything else", () => {
    expect(
      problemsOfError({ data: { problems: [{ path: ["name"], message: "x" }, { nonsense: true }] } }),
    ).toEqual([{ path: ["name"], message: "x" }]);
    expect(problemsOfError({ data: { problems: null } })).toBeNull();
    expect(problemsOfError(new Error("boom"))).toBeNull();
    expect(problemsOfError(null)).toBeNull();
  });
});
