import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { FlowSpecInput } from "./flow";
import { functionNodeType } from "./function-node";
import { formatPath } from "./problem";
import type { NodeTypeDefinition } from "./node-type";
import { createNodeTypeRegistry } from "./registry";
import { validateFlow } from "./validate";

const ticker: NodeTypeDefinition = {
  type: "ticker",
  version: 1,
  kind: "source",
  name: "Ticker",
  description: "test source",
  icon: "clock",
  configSchema: z.object({ intervalMs: z.number().int().positive() }),
  ports: { fixed: ["out"] },
};
const collect: NodeTypeDefinition = {
  type: "collect",
  version: 1,
  kind: "sink",
  name: "Collect",
  description: "test sink",
  icon: "list",
  configSchema: z.object({}),
  ports: { fixed: [] },
};
const registry = createNodeTypeRegistry([ticker, functionNodeType, collect]);

/** source → function → sink, valid; each test breaks one thing. */
function validFlow(): FlowSpecInput & {
  nodes: NonNullable<FlowSpecInput["nodes"]>;
  edges: NonNullable<FlowSpecInput["edges"]>;
} {
  return {
    name: "pipeline",
    nodes: [
      { id: "src", kind: "source", type: "ticker", config: { intervalMs: 10 } },
      {
        id: "fn",
        kind: "function",
        type: "function",
        config: { code: "export default (r) => r" },
        outputs: ["out", "errors"],
      },
      { id: "log", kind: "sink", type: "collect", config: {} },
    ],
    edges: [
      { id: "e1", from: { node: "src", port: "out" }, to: { node: "fn" } },
      { id: "e2", from: { node: "fn", port: "out" }, to: { node: "log" } },
    ],
  };
}

type TestFlow = ReturnType<typeof validFlow>;

function patchNode(flow: TestFlow, index: number, patch: Partial<TestFlow["nodes"][number]>): void {
  const node = flow.nodes[index];
  if (!node) throw new Error(`no node ${index}`);
  flow.nodes[index] = { ...node, ...patch };
}

function problemsOf(input: unknown): { path: string; code: string; message: string }[] {
  const result = validateFlow(input, registry);
  if (result.ok) return [];
  return result.problems.map((p) => ({ path: formatPath(p.path), code: p.code, message: p.message }));
}

describe("validateFlow", () => {
  it("accepts a valid flow and fills config defaults", () => {
    const result = validateFlow(validFlow(), registry);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.flow.nodes[1]?.config).toMatchObject({ runtime: "js", batchSize: 100 });
    expect(result.flow.nodes[0]?.position).toEqual({ x: 0, y: 0 });
  });

  it("rejects a malformed document with shape paths", () => {
    expect(problemsOf({ name: "", nodes: "no" })).toEqual([
      expect.objectContaining({ path: "name", code: "invalid_shape" }),
      expect.objectContaining({ path: "nodes", code: "invalid_shape" }),
    ]);
  });

  it("rejects an id with unsafe characters", () => {
    const flow = validFlow();
    patchNode(flow, 0, { id: "a b" });
    expect(problemsOf(flow)).toEqual([
      expect.objectContaining({ path: "nodes[0].id", code: "invalid_shape" }),
    ]);
  });

  it("reports an unknown node type and lists the known ones", () => {
    const flow = validFlow();
    patchNode(flow, 2, { type: "nope" });
    const problems = problemsOf(flow);
    expect(problems).toEqual([expect.objectContaining({ path: "nodes[2].type", code: "unknown_node_type" })]);
    expect(problems[0]?.message).toContain("ticker, function, collect");
  });

  it("reports a kind that does not match the node type", () => {
    const flow = validFlow();
    patchNode(flow, 2, { kind: "function" });
    expect(problemsOf(flow)).toContainEqual(
      expect.objectContaining({ path: "nodes[2].kind", code: "kind_mismatch" }),
    );
  });

  it("reports config that fails the node type's schema, at the config field", () => {
    const flow = validFlow();
    patchNode(flow, 0, { config: { intervalMs: -5 } });
    expect(problemsOf(flow)).toEqual([
      expect.objectContaining({ path: "nodes[0].config.intervalMs", code: "invalid_config" }),
    ]);
  });

  it("takes parallelism on a function and partitions on an edge, and refuses bad values", () => {
    const flow = validFlow();
    const [edge] = flow.edges;
    if (!edge) throw new Error("no edge");
    patchNode(flow, 1, { parallelism: 4 });
    flow.edges[0] = { ...edge, partitions: 8 };
    expect(problemsOf(flow)).toEqual([]);
    patchNode(flow, 1, { parallelism: 0 });
    flow.edges[0] = { ...edge, partitions: 1.5 };
    expect(problemsOf(flow)).toEqual([
      expect.objectContaining({ path: "nodes[1].parallelism", code: "invalid_shape" }),
      expect.objectContaining({ path: "edges[0].partitions", code: "invalid_shape" }),
    ]);
  });

  it("reports parallelism on a source, which runs as one instance", () => {
    const flow = validFlow();
    patchNode(flow, 0, { parallelism: 2 });
    expect(problemsOf(flow)).toEqual([
      expect.objectContaining({ path: "nodes[0].parallelism", code: "source_parallelism" }),
    ]);
  });

  it("reports a function node without code", () => {
    const flow = validFlow();
    patchNode(flow, 1, { config: { code: "   " } });
    expect(problemsOf(flow)).toEqual([
      { path: "nodes[1].config.code", code: "missing_code", message: "function node has no code" },
    ]);
  });

  describe("function runtimes", () => {
    const sha = "ab".repeat(32);

    it("accepts a wasm node with an artifact and no code, or with code to build", () => {
      const withArtifact = validFlow();
      patchNode(withArtifact, 1, { config: { runtime: "wasm", artifact: sha } });
      const result = validateFlow(withArtifact, registry);
      expect(result.ok).toBe(true);
      if (result.ok) expect(result.flow.nodes[1]?.config).toMatchObject({ runtime: "wasm", artifact: sha });
      const withCode = validFlow();
      patchNode(withCode, 1, { config: { runtime: "wasm", code: "export default (r) => r" } });
      expect(problemsOf(withCode)).toEqual([]);
    });

    it("reports a wasm node with neither an artifact nor code, at the artifact", () => {
      const flow = validFlow();
      patchNode(flow, 1, { config: { runtime: "wasm" } });
      expect(problemsOf(flow)).toEqual([
        {
          path: "nodes[1].config.artifact",
          code: "missing_artifact",
          message:
            "wasm function node has neither an artifact (the sha256 of an uploaded component) nor code to build one from",
        },
      ]);
    });

    it("reports a wasm node with both an artifact and code", () => {
      const flow = validFlow();
      patchNode(flow, 1, { config: { runtime: "wasm", artifact: sha, code: "export default (r) => r" } });
      expect(problemsOf(flow)).toEqual([
        expect.objectContaining({ path: "nodes[1].config.artifact", code: "invalid_config" }),
      ]);
    });

    it("reports an artifact on a js node, and the js node's missing code", () => {
      const flow = validFlow();
      patchNode(flow, 1, { config: { artifact: sha } });
      expect(problemsOf(flow)).toEqual([
        {
          path: "nodes[1].config.artifact",
          code: "invalid_config",
          message:
            "an artifact is a WebAssembly component and runs only with runtime 'wasm' (set runtime to 'wasm')",
        },
        { path: "nodes[1].config.code", code: "missing_code", message: "function node has no code" },
      ]);
    });

    it("reports an artifact that is not a sha256 and a runtime nobody implements", () => {
      const flow = validFlow();
      patchNode(flow, 1, { config: { runtime: "wasm", artifact: "not-a-hash" } });
      expect(problemsOf(flow)).toEqual([
        expect.objectContaining({
          path: "nodes[1].config.artifact",
          code: "invalid_config",
          message: "an artifact is the SHA-256 of a component: 64 lowercase hex digits",
        }),
      ]);
      const lua = validFlow();
      patchNode(lua, 1, { config: { runtime: "lua", code: "x" } });
      expect(problemsOf(lua)).toEqual([
        expect.objectContaining({ path: "nodes[1].config.runtime", code: "invalid_config" }),
      ]);
    });

    it("accepts requirements as package names with versions, on the python runtime only", () => {
      const python = validFlow();
      patchNode(python, 1, {
        config: {
          runtime: "python",
          language: "python",
          code: "def handle(r, ctx):\n  return r",
          requirements: ["requests==2.32.3", "numpy >= 1.26, < 3", "uvicorn[standard]~=0.30", "six"],
        },
      });
      expect(problemsOf(python)).toEqual([]);
      for (const bad of [
        "--index-url=http://evil.example",
        "-r x.txt",
        "git+https://x/y.git",
        "./local",
        "a b",
        "pkg @ https://x/p.whl",
      ]) {
        const flow = validFlow();
        patchNode(flow, 1, {
          config: {
            runtime: "python",
            language: "python",
            code: "def handle(r, ctx):\n  return r",
            requirements: [bad],
          },
        });
        expect(problemsOf(flow), bad).toEqual([
          expect.objectContaining({ path: "nodes[1].config.requirements[0]", code: "invalid_config" }),
        ]);
      }
      const js = validFlow();
      patchNode(js, 1, { config: { requirements: ["six"] } });
      expect(problemsOf(js)).toEqual([
        expect.objectContaining({
          path: "nodes[1].config.requirements",
          code: "invalid_config",
          message: "requirements are Python packages: only runtime 'python' installs them",
        }),
      ]);
    });

    it("runs Python code on the python runtime only, and only Python there", () => {
      const python = validFlow();
      patchNode(python, 1, {
        config: { runtime: "python", language: "python", code: "def handle(r, ctx):\n  return r" },
      });
      expect(problemsOf(python)).toEqual([]);
      const typescriptOnPython = validFlow();
      patchNode(typescriptOnPython, 1, { config: { runtime: "python", code: "x" } });
      expect(problemsOf(typescriptOnPython)).toEqual([
        expect.objectContaining({
          path: "nodes[1].config.language",
          code: "invalid_config",
          message: "a python function node's code is Python: set language to 'python'",
        }),
      ]);
      const pythonOnJs = validFlow();
      patchNode(pythonOnJs, 1, { config: { runtime: "js", language: "python", code: "x" } });
      expect(problemsOf(pythonOnJs)).toEqual([
        expect.objectContaining({ path: "nodes[1].config.language", code: "invalid_config" }),
      ]);
    });
  });

  it("reports duplicate node and edge ids", () => {
    const flow = validFlow();
    flow.nodes.push({ id: "fn", kind: "sink", type: "collect", config: {} });
    flow.edges.push({ id: "e1", from: { node: "fn", port: "errors" }, to: { node: "log" } });
    const problems = problemsOf(flow);
    expect(problems).toContainEqual(expect.objectContaining({ path: "nodes[3].id", code: "duplicate_id" }));
    expect(problems).toContainEqual(expect.objectContaining({ path: "edges[2].id", code: "duplicate_id" }));
  });

  it("reports an edge to or from a missing node", () => {
    const flow = validFlow();
    flow.edges.push({ id: "e3", from: { node: "ghost", port: "out" }, to: { node: "phantom" } });
    expect(problemsOf(flow)).toEqual([
      expect.objectContaining({ path: "edges[2].from.node", code: "missing_node" }),
      expect.objectContaining({ path: "edges[2].to.node", code: "missing_node" }),
    ]);
  });

  it("reports an edge from a port the node does not have", () => {
    const flow = validFlow();
    flow.edges.push({ id: "e3", from: { node: "fn", port: "alerts" }, to: { node: "log" } });
    flow.edges.push({ id: "e4", from: { node: "src", port: "other" }, to: { node: "log" } });
    const problems = problemsOf(flow);
    expect(problems).toEqual([
      expect.objectContaining({ path: "edges[2].from.port", code: "missing_port" }),
      expect.objectContaining({ path: "edges[3].from.port", code: "missing_port" }),
    ]);
    expect(problems[0]?.message).toContain("ports: out, errors");
  });

  it("accepts an edge from a declared function port", () => {
    const flow = validFlow();
    flow.edges.push({ id: "e3", from: { node: "fn", port: "errors" }, to: { node: "log" } });
    expect(problemsOf(flow)).toEqual([]);
  });

  it("reports an undeclared output on a fixed-port node", () => {
    const flow = validFlow();
    patchNode(flow, 0, { outputs: ["out", "extra"] });
    expect(problemsOf(flow)).toEqual([
      expect.objectContaining({ path: "nodes[0].outputs[1]", code: "invalid_port" }),
    ]);
  });

  it("reports a cycle with the nodes on it", () => {
    const flow = validFlow();
    flow.nodes.push({ id: "fn2", kind: "function", type: "function", config: { code: "x" } });
    flow.edges.push({ id: "e3", from: { node: "fn", port: "errors" }, to: { node: "fn2" } });
    flow.edges.push({ id: "e4", from: { node: "fn2", port: "out" }, to: { node: "fn" } });
    expect(problemsOf(flow)).toEqual([
      { path: "edges[3]", code: "cycle", message: "edge closes a cycle: fn → fn2 → fn" },
    ]);
  });

  it("reports a self-loop as a cycle", () => {
    const flow = validFlow();
    flow.edges.push({ id: "e3", from: { node: "fn", port: "errors" }, to: { node: "fn" } });
    expect(problemsOf(flow)).toEqual([expect.objectContaining({ path: "edges[2]", code: "cycle" })]);
  });

  it("reports a source with an incoming edge", () => {
    const flow = validFlow();
    flow.edges.push({ id: "e3", from: { node: "fn", port: "errors" }, to: { node: "src" } });
    expect(problemsOf(flow)).toContainEqual(
      expect.objectContaining({ path: "edges[2].to.node", code: "source_has_input" }),
    );
  });

  it("reports a sink with an outgoing edge", () => {
    const flow = validFlow();
    flow.edges.push({ id: "e3", from: { node: "log", port: "out" }, to: { node: "fn" } });
    expect(problemsOf(flow)).toContainEqual(
      expect.objectContaining({ path: "edges[2].from.node", code: "sink_has_output" }),
    );
  });

  it("returns every problem at once, not just the first", () => {
    const flow = validFlow();
    patchNode(flow, 0, { config: { intervalMs: "fast" } });
    patchNode(flow, 1, { config: { code: "" } });
    flow.edges.push({ id: "e3", from: { node: "log", port: "out" }, to: { node: "nowhere" } });
    const codes = problemsOf(flow).map((p) => p.code);
    expect(codes).toEqual(["invalid_config", "missing_code", "sink_has_output", "missing_node"]);
  });
});

describe("createNodeTypeRegistry", () => {
  it("refuses a type registered twice", () => {
    expect(() => createNodeTypeRegistry([ticker, ticker])).toThrow("node type 'ticker' is registered twice");
  });
});

describe("validateFlow with a code checker", () => {
  it("reports code problems at the function's code, with line and column", () => {
    const result = validateFlow(validFlow(), registry, {
      checkCode: (source) =>
        source.code.includes("=>") ? [{ message: "Expression expected.", line: 2, column: 13 }] : [],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      {
        path: ["nodes", 1, "config", "code"],
        message: "line 2, column 13: Expression expected.",
        code: "code_error",
        line: 2,
        column: 13,
      },
    ]);
  });

  it("passes code the checker accepts", () => {
    expect(validateFlow(validFlow(), registry, { checkCode: () => [] }).ok).toBe(true);
  });
});
