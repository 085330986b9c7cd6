// validateFlow and port types: an edge whose sending type provably does not fit is refused at its
// path with both ports named; schemas sit only on ports that exist; a node type may derive them.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { FlowSpecInput } from "./flow";
import { functionNodeType } from "./function-node";
import type { NodeTypeDefinition } from "./node-type";
import type { PortSchema } from "./port-schema";
import { formatPath } from "./problem";
import { createNodeTypeRegistry } from "./registry";
import { validateFlow } from "./validate";

const numbers: PortSchema = { type: "object", properties: { n: { type: "number" } }, required: ["n"] };
const strings: PortSchema = { type: "object", properties: { n: { type: "string" } }, required: ["n"] };

/** A source whose output type comes from its config, as a registry-backed source's would. */
const typedSource: NodeTypeDefinition<{ schema?: PortSchema }> = {
  type: "typed-source",
  version: 1,
  kind: "source",
  name: "Typed source",
  description: "test source",
  icon: "clock",
  configSchema: z.object({ schema: z.any().optional() }),
  ports: { fixed: ["out"] },
  portSchemas: (config) => (config.schema ? { outputs: { out: config.schema } } : undefined),
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
const registry = createNodeTypeRegistry([typedSource, functionNodeType, collect]);

function flow(opts: {
  source?: PortSchema;
  input?: PortSchema;
  big?: PortSchema;
  sink?: PortSchema;
}): FlowSpecInput {
  return {
    name: "typed",
    nodes: [
      { id: "src", kind: "source", type: "typed-source", config: opts.source ? { schema: opts.source } : {} },
      {
        id: "fn",
        kind: "function",
        type: "function",
        config: { code: "export default (r) => r" },
        outputs: ["out", "big"],
        schemas: {
          ...(opts.input ? { input: opts.input } : {}),
          ...(opts.big ? { outputs: { big: opts.big } } : {}),
        },
      },
      {
        id: "log",
        kind: "sink",
        type: "collect",
        config: {},
        ...(opts.sink ? { schemas: { input: opts.sink } } : {}),
      },
    ],
    edges: [
      { id: "e1", from: { node: "src", port: "out" }, to: { node: "fn" } },
      { id: "e2", from: { node: "fn", port: "out" }, to: { node: "log" } },
      { id: "e3", from: { node: "fn", port: "big" }, to: { node: "log" } },
    ],
  };
}

const problems = (input: FlowSpecInput) => {
  const result = validateFlow(input, registry);
  return result.ok
    ? []
    : result.problems.map((p) => ({ at: formatPath(p.path), code: p.code, message: p.message }));
};

describe("validateFlow with port types", () => {
  it("accepts compatible and untyped edges, and keeps the schemas", () => {
    const input = flow({ input: numbers, big: numbers, sink: { type: "object" } });
    const result = validateFlow(input, registry);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.flow.nodes[1]?.schemas?.input).toEqual(numbers);
  });

  it("refuses an edge between incompatible ports at edges[i], naming both", () => {
    expect(problems(flow({ big: numbers, sink: strings }))).toEqual([
      {
        at: "edges[2]",
        code: "incompatible_types",
        message:
          "port 'big' of 'fn' sends { n: number; } but the input of 'log' accepts { n: string; }: " +
          'a record such as {"n":0.5} would be refused (at n: must be string (got number 0.5))',
      },
    ]);
  });

  it("checks a type a node type derives from its config (a typed source)", () => {
    const found = problems(flow({ source: { type: "string" }, input: numbers }));
    expect(found.map((p) => [p.at, p.code])).toEqual([["edges[0]", "incompatible_types"]]);
    expect(found[0]?.message).toContain("port 'out' of 'src' sends string");
  });

  it("refuses unsupported keywords at their path, and schemas of ports that do not exist", () => {
    const input = flow({ input: { type: "object", properties: { n: { pattern: "x" } } } as PortSchema });
    expect(problems(input)).toEqual([
      expect.objectContaining({ at: "nodes[1].schemas.input.properties.n", code: "invalid_shape" }),
    ]);
    const wrongPort = flow({});
    const [src, fn, sink] = wrongPort.nodes ?? [];
    if (!src || !fn || !sink) throw new Error("flow() has three nodes");
    wrongPort.nodes = [
      src,
      { ...fn, schemas: { outputs: { small: numbers } } },
      { ...sink, schemas: { outputs: { out: numbers } } },
    ];
    expect(problems(wrongPort).map((p) => `${p.at}: ${p.message}`)).toEqual([
      "nodes[1].schemas.outputs.small: a schema for port 'small', which the node does not have (ports: out, big)",
      "nodes[2].schemas.outputs.out: a sink has no output ports, so no output schema",
    ]);
  });

  it("checks types resolved outside the flow (as an API would fetch from a registry), under the node's own", () => {
    const resolved = new Map([["log", { input: strings }]]);
    const refused = validateFlow(flow({ big: numbers }), registry, { resolvedSchemas: resolved });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.problems.map((p) => formatPath(p.path))).toEqual(["edges[2]"]);
    // The node's own declaration wins over the resolved one.
    const own = validateFlow(flow({ big: numbers, sink: numbers }), registry, { resolvedSchemas: resolved });
    expect(own.ok).toBe(true);
  });
});
