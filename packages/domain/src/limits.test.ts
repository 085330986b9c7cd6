import { describe, expect, it } from "vitest";
import { z } from "zod";
import { functionNodeType } from "./function-node";
import { LIMITS, checkFlowLimits, checkJsonValue, textProblem } from "./limits";
import type { NodeTypeDefinition } from "./node-type";
import { createNodeTypeRegistry } from "./registry";
import { validateFlow } from "./validate";

const pass: NodeTypeDefinition = {
  type: "pass",
  version: 1,
  kind: "sink",
  name: "Pass",
  description: "test function without code",
  icon: "arrow",
  configSchema: z.object({ template: z.unknown().optional() }),
  ports: { fixed: [] },
};
const registry = createNodeTypeRegistry([pass, functionNodeType]);

/** A value nested `depth` arrays deep, built without recursion. */
function nested(depth: number): unknown {
  let value: unknown = "leaf";
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** `count` function nodes chained by `count - 1` edges. */
function chain(count: number) {
  const nodes = Array.from({ length: count }, (_, i) => ({
    id: `n${i}`,
    kind: "function",
    type: "function",
    config: { code: "export default (r) => r" },
  }));
  const edges = nodes.slice(1).map((node, i) => ({
    id: `e${i}`,
    from: { node: `n${i}`, port: "out" },
    to: { node: node.id },
  }));
  return { name: "chain", nodes, edges };
}

describe("textProblem", () => {
  it("refuses NUL and lone surrogates, accepts paired surrogates", () => {
    expect(textProblem("a\u0000b")).toMatch(/NUL/);
    expect(textProblem("a\ud800")).toMatch(/surrogate/);
    expect(textProblem("\udc00a")).toMatch(/surrogate/);
    expect(textProblem("\ud83d\ude00 ok")).toBeNull();
    expect(textProblem("plain")).toBeNull();
  });
});

describe("checkJsonValue", () => {
  it("locates bad text in values and keys by path", () => {
    const { problems } = checkJsonValue({ a: ["ok", "x\u0000"], ["k\ud800"]: 1 }, { maxDepth: 8 });
    expect(problems.map((p) => [p.path, p.code])).toEqual(
      expect.arrayContaining([
        [["a", 1], "invalid_text"],
        [["k\ud800"], "invalid_text"],
      ]),
    );
  });

  it("stops at the depth limit without recursing into 100,000 levels", () => {
    const { problems } = checkJsonValue(nested(100_000), { maxDepth: 10 });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: "too_deep", path: Array(10).fill(0) });
    expect(problems[0]?.message).toContain("10 levels");
  });

  it("refuses strings over maxStringChars when given", () => {
    const value = { sasl: { password: "p".repeat(11) } };
    expect(checkJsonValue(value, { maxDepth: 4 }).problems).toEqual([]);
    expect(checkJsonValue(value, { maxDepth: 4, maxStringChars: 10 }).problems).toEqual([
      { path: ["sasl", "password"], message: "longer than the limit of 10 characters", code: "too_large" },
    ]);
  });

  it("refuses long keys", () => {
    const { problems } = checkJsonValue({ ["k".repeat(LIMITS.keyChars + 1)]: 1 }, { maxDepth: 4 });
    expect(problems[0]).toMatchObject({ code: "too_large" });
  });
});

describe("checkFlowLimits", () => {
  it("refuses too many nodes and edges, naming the limit", () => {
    const big = chain(LIMITS.flowNodes + 1);
    const problems = checkFlowLimits(big);
    expect(problems[0]).toMatchObject({ path: ["nodes"], code: "too_large" });
    expect(problems[0]?.message).toContain(String(LIMITS.flowNodes));
    const edges = Array.from({ length: LIMITS.flowEdges + 1 }, (_, i) => ({ id: `e${i}` }));
    expect(checkFlowLimits({ name: "x", nodes: [], edges })[0]).toMatchObject({ path: ["edges"] });
  });

  it("refuses code over the size limit before anything compiles it", () => {
    let compiled = 0;
    const code = `export default (r) => r; // ${"x".repeat(LIMITS.codeBytes)}`;
    const result = validateFlow(
      { name: "big", nodes: [{ id: "f", kind: "function", type: "function", config: { code } }] },
      registry,
      {
        checkCode: () => {
          compiled += 1;
          return [];
        },
      },
    );
    expect(result.ok).toBe(false);
    expect(compiled).toBe(0);
    expect(!result.ok && result.problems[0]).toMatchObject({
      path: ["nodes", 0, "config", "code"],
      code: "too_large",
    });
  });
});

describe("validateFlow on user-sized input", () => {
  it("checks a chain at the node limit without recursion and finds a cycle at its end", () => {
    const flow = chain(LIMITS.flowNodes);
    expect(validateFlow(flow, registry).ok).toBe(true);
    flow.edges.push({
      id: "back",
      from: { node: `n${LIMITS.flowNodes - 1}`, port: "out" },
      to: { node: "n0" },
    });
    const result = validateFlow(flow, registry);
    expect(!result.ok && result.problems.map((p) => p.code)).toEqual(["cycle"]);
  });

  it("answers a 10,000-edge chain with a size problem, not a stack overflow", () => {
    const result = validateFlow(chain(10_001), registry);
    expect(!result.ok && result.problems[0]?.code).toBe("too_large");
  });

  it("answers a config value nested 10,000 deep with the depth limit", () => {
    const result = validateFlow(
      {
        name: "deep",
        nodes: [{ id: "p", kind: "sink", type: "pass", config: { template: nested(10_000) } }],
      },
      registry,
    );
    expect(result.ok).toBe(false);
    const problem = !result.ok ? result.problems[0] : undefined;
    expect(problem).toMatchObject({ code: "too_deep" });
    expect(problem?.path.slice(0, 4)).toEqual(["nodes", 0, "config", "template"]);
    expect(problem?.message).toContain(`${LIMITS.configDepth} levels`);
  });

  it("refuses NUL in a flow's name and description with their paths", () => {
    const result = validateFlow({ name: "a\u0000", description: "\ud800", nodes: [] }, registry);
    expect(!result.ok && result.problems.map((p) => p.path)).toEqual(
      expect.arrayContaining([["name"], ["description"]]),
    );
  });
});
