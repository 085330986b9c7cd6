import { describe, expect, it } from "vitest";
import type { FlowSpec } from "@weir/domain";
import { directEdges } from "./direct-edges";

function spec(nodes: [string, string][], edges: [string, string, string, number?][]): FlowSpec {
  return {
    name: "f",
    description: "",
    nodes: nodes.map(([id, type]) => ({
      id,
      type,
      kind:
        type.endsWith("source") || type === "generator"
          ? "source"
          : type.endsWith("sink")
            ? "sink"
            : "function",
      config: {},
      position: { x: 0, y: 0 },
    })),
    edges: edges.map(([id, from, to, partitions]) => ({
      id,
      from: { node: from, port: "out" },
      to: { node: to },
      ...(partitions === undefined ? {} : { partitions }),
    })),
  };
}

describe("directEdges", () => {
  it("reads a Kafka source and writes a Kafka sink directly in kafka → fn → kafka", () => {
    const direct = directEdges(
      spec(
        [
          ["src", "kafka-source"],
          ["fn", "function"],
          ["out", "kafka-sink"],
        ],
        [
          ["e1", "src", "fn"],
          ["e2", "fn", "out"],
        ],
      ),
    );
    expect([...direct.sources.keys()]).toEqual(["e1"]);
    expect([...direct.sinks.keys()]).toEqual(["e2"]);
    expect([...direct.absorbed].sort()).toEqual(["out", "src"]);
  });

  it("keeps a topic for an edge with its own partitions, a fan-out, a fan-in and source → sink", () => {
    const direct = directEdges(
      spec(
        [
          ["src", "kafka-source"],
          ["gen", "generator"],
          ["fn", "function"],
          ["fn2", "function"],
          ["out", "kafka-sink"],
          ["raw", "kafka-sink"],
          ["src2", "kafka-source"],
        ],
        [
          ["e1", "src", "fn", 8],
          ["e2", "gen", "fn2"],
          ["e3", "src2", "fn2"],
          ["e4", "fn", "out"],
          ["e5", "fn2", "out"],
          ["e6", "src2", "raw"],
        ],
      ),
    );
    expect(direct.sources.size).toBe(0);
    expect(direct.sinks.size).toBe(0);
    expect(direct.absorbed.size).toBe(0);
  });
});
