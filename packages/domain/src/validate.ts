import type { FlowEdge, FlowNode, FlowSpec } from "./flow";
import type { CodeProblem, FunctionSource } from "./function-runtime";
import { flowSpecSchema } from "./flow";
import { checkFlowTests } from "./flow-tests";
import { checkFlowLimits } from "./limits";
import { portsOf } from "./node-type";
import type { Problem } from "./problem";
import type { NodeTypeRegistry } from "./registry";
import type { NodeSchemas } from "./port-schema";
import type { SchemasOf } from "./edge-types";
import { checkEdgeType, edgeTypeMessage } from "./edge-types";

export type ValidationResult = { ok: true; flow: FlowSpec } | { ok: false; problems: Problem[] };

export interface ValidateOptions {
  /**
   * Checks a function node's code (compiles it, without running it). Supplied by callers that
   * have a compiler at hand, so this package stays free of one.
   */
  checkCode?: (source: FunctionSource) => CodeProblem[];
  /**
   * Port types found outside the flow, by node id: what a caller looked up before validating
   * (e.g. a source's schema-registry subject, fetched by the API), which no synchronous
   * `portSchemas(config)` can. Between a node type's derived types and the node's own.
   */
  resolvedSchemas?: ReadonlyMap<string, NodeSchemas>;
}

/**
 * Checks a flow against its shape, the node-type registry and the graph rules, and returns
 * every problem found rather than stopping at the first, so an editor can mark them all.
 */
export function validateFlow(
  input: unknown,
  registry: NodeTypeRegistry,
  options: ValidateOptions = {},
): ValidationResult {
  // Sizes first: nothing below (schema, graph, compiler) sees a flow over a limit.
  const limits = checkFlowLimits(input);
  if (limits.length > 0) return { ok: false, problems: limits };
  const parsed = flowSpecSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
        message: issue.message,
        code: "invalid_shape",
      })),
    };
  }
  const flow = parsed.data;
  const problems = [
    ...checkDuplicateIds(flow),
    ...checkNodes(flow.nodes, registry),
    ...checkCode(flow.nodes, registry, options.checkCode),
    ...checkEdges(flow, registry),
    ...checkCycles(flow),
    ...checkFlowTests(flow),
    ...checkPortSchemas(flow, registry),
  ];
  // Types are compared only on a graph that holds together (every edge's ends and ports exist).
  if (problems.length === 0) problems.push(...checkEdgeTypes(flow, registry, options.resolvedSchemas));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, flow: withParsedConfigs(flow, registry) };
}

function checkDuplicateIds(flow: FlowSpec): Problem[] {
  const problems: Problem[] = [];
  const collection = (items: readonly { id: string }[], name: "nodes" | "edges"): void => {
    const firstIndex = new Map<string, number>();
    items.forEach((item, index) => {
      const first = firstIndex.get(item.id);
      if (first === undefined) firstIndex.set(item.id, index);
      else
        problems.push({
          path: [name, index, "id"],
          message: `duplicate id '${item.id}' (also used by ${name}[${first}])`,
          code: "duplicate_id",
        });
    });
  };
  collection(flow.nodes, "nodes");
  collection(flow.edges, "edges");
  return problems;
}

function checkNodes(nodes: readonly FlowNode[], registry: NodeTypeRegistry): Problem[] {
  const problems: Problem[] = [];
  nodes.forEach((node, index) => {
    const definition = registry.get(node.type);
    if (!definition) {
      const known = registry
        .list()
        .map((d) => d.type)
        .join(", ");
      problems.push({
        path: ["nodes", index, "type"],
        message: `unknown node type '${node.type}' (known: ${known})`,
        code: "unknown_node_type",
      });
      return;
    }
    if (definition.kind !== node.kind) {
      problems.push({
        path: ["nodes", index, "kind"],
        message: `node type '${node.type}' is a ${definition.kind}, not a ${node.kind}`,
        code: "kind_mismatch",
      });
    }
    if (definition.kind === "source" && node.parallelism !== undefined && node.parallelism > 1) {
      problems.push({
        path: ["nodes", index, "parallelism"],
        message: "a source runs as one instance; parallelism applies to functions and sinks",
        code: "source_parallelism",
      });
    }
    const config = definition.configSchema.safeParse(node.config);
    if (!config.success) {
      for (const issue of config.error.issues) {
        problems.push({
          path: ["nodes", index, "config", ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
          message: issue.message,
          code: "invalid_config",
        });
      }
    }
    if (definition.kind === "function") problems.push(...checkFunctionSource(node, index));
    if (node.outputs !== undefined) {
      if (definition.kind === "sink" && node.outputs.length > 0) {
        problems.push({
          path: ["nodes", index, "outputs"],
          message: "a sink has no output ports",
          code: "invalid_port",
        });
      } else if ("fixed" in definition.ports) {
        const allowed = definition.ports.fixed;
        node.outputs.forEach((port, portIndex) => {
          if (!allowed.includes(port)) {
            problems.push({
              path: ["nodes", index, "outputs", portIndex],
              message: `node type '${node.type}' has no port '${port}' (ports: ${allowed.join(", ") || "none"})`,
              code: "invalid_port",
            });
          }
        });
      }
      const seen = new Set<string>();
      node.outputs.forEach((port, portIndex) => {
        if (seen.has(port))
          problems.push({
            path: ["nodes", index, "outputs", portIndex],
            message: `duplicate port '${port}'`,
            code: "invalid_port",
          });
        seen.add(port);
      });
    }
  });
  return problems;
}

/**
 * What a function node runs: `js` runs code; `wasm` runs either an uploaded component
 * (`artifact`) or one built from code, never both, so there is no doubt which one is deployed;
 * `python` runs Python code and only it does.
 */
function checkFunctionSource(node: FlowNode, index: number): Problem[] {
  const at = (field: string): Problem["path"] => ["nodes", index, "config", field];
  const { runtime, code, artifact, language, requirements } = node.config;
  if (runtime !== "python" && Array.isArray(requirements) && requirements.length > 0) {
    return [
      {
        path: at("requirements"),
        message: "requirements are Python packages: only runtime 'python' installs them",
        code: "invalid_config",
      },
    ];
  }
  if ((runtime === "python") !== (language === "python")) {
    return [
      {
        path: at("language"),
        message:
          runtime === "python"
            ? "a python function node's code is Python: set language to 'python'"
            : "Python code runs only with runtime 'python' (set runtime to 'python')",
        code: "invalid_config",
      },
    ];
  }
  const hasCode = typeof code === "string" && code.trim() !== "";
  const hasArtifact = artifact !== undefined;
  if (runtime === "wasm") {
    if (hasCode && hasArtifact) {
      return [
        {
          path: at("artifact"),
          message: "a wasm function node runs either its code or an artifact, not both: remove one",
          code: "invalid_config",
        },
      ];
    }
    if (!hasCode && !hasArtifact) {
      return [
        {
          path: at("artifact"),
          message:
            "wasm function node has neither an artifact (the sha256 of an uploaded component) nor code to build one from",
          code: "missing_artifact",
        },
      ];
    }
    return [];
  }
  const problems: Problem[] = [];
  if (hasArtifact) {
    problems.push({
      path: at("artifact"),
      message:
        "an artifact is a WebAssembly component and runs only with runtime 'wasm' (set runtime to 'wasm')",
      code: "invalid_config",
    });
  }
  if (!hasCode)
    problems.push({ path: at("code"), message: "function node has no code", code: "missing_code" });
  return problems;
}

function checkCode(
  nodes: readonly FlowNode[],
  registry: NodeTypeRegistry,
  check: ValidateOptions["checkCode"],
): Problem[] {
  if (!check) return [];
  const problems: Problem[] = [];
  nodes.forEach((node, index) => {
    if (registry.get(node.type)?.kind !== "function") return;
    const { code, language } = node.config;
    if (typeof code !== "string" || code.trim() === "") return;
    const source: FunctionSource = {
      code,
      language: language === "javascript" || language === "python" ? language : "typescript",
    };
    for (const problem of check(source)) {
      problems.push({
        path: ["nodes", index, "config", "code"],
        message: `line ${problem.line}, column ${problem.column}: ${problem.message}`,
        code: "code_error",
        line: problem.line,
        column: problem.column,
      });
    }
  });
  return problems;
}

function checkEdges(flow: FlowSpec, registry: NodeTypeRegistry): Problem[] {
  const problems: Problem[] = [];
  const nodes = new Map(flow.nodes.map((node) => [node.id, node]));
  flow.edges.forEach((edge, index) => {
    const from = nodes.get(edge.from.node);
    const to = nodes.get(edge.to.node);
    if (!from) {
      problems.push({
        path: ["edges", index, "from", "node"],
        message: `edge starts at missing node '${edge.from.node}'`,
        code: "missing_node",
      });
    } else {
      if (from.kind === "sink") {
        problems.push({
          path: ["edges", index, "from", "node"],
          message: `sink '${from.id}' cannot have outgoing edges`,
          code: "sink_has_output",
        });
      } else {
        const definition = registry.get(from.type);
        const ports = definition ? portsOf(definition, from.outputs) : null;
        if (ports && !ports.includes(edge.from.port)) {
          problems.push({
            path: ["edges", index, "from", "port"],
            message: `node '${from.id}' has no output port '${edge.from.port}' (ports: ${ports.join(", ") || "none"})`,
            code: "missing_port",
          });
        }
      }
    }
    if (!to) {
      problems.push({
        path: ["edges", index, "to", "node"],
        message: `edge ends at missing node '${edge.to.node}'`,
        code: "missing_node",
      });
    } else if (to.kind === "source") {
      problems.push({
        path: ["edges", index, "to", "node"],
        message: `source '${to.id}' cannot have incoming edges`,
        code: "source_has_input",
      });
    }
  });
  return problems;
}

/** Reports each cycle once, at the edge that closes it, naming the nodes on it. */
function checkCycles(flow: FlowSpec): Problem[] {
  const outgoing = new Map<string, { edge: FlowEdge; index: number }[]>();
  flow.edges.forEach((edge, index) => {
    const list = outgoing.get(edge.from.node) ?? [];
    list.push({ edge, index });
    outgoing.set(edge.from.node, list);
  });
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const problems: Problem[] = [];

  // Depth-first with an explicit stack (a flow may chain thousands of nodes): each frame is a
  // node on the current path and the index of the next outgoing edge to follow from it.
  for (const root of flow.nodes) {
    if (state.has(root.id)) continue;
    const frames: { nodeId: string; next: number }[] = [{ nodeId: root.id, next: 0 }];
    state.set(root.id, "visiting");
    path.push(root.id);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as { nodeId: string; next: number };
      const edges = outgoing.get(frame.nodeId) ?? [];
      if (frame.next >= edges.length) {
        frames.pop();
        path.pop();
        state.set(frame.nodeId, "done");
        continue;
      }
      const { edge, index } = edges[frame.next] as { edge: FlowEdge; index: number };
      frame.next += 1;
      const next = edge.to.node;
      const nextState = state.get(next);
      if (nextState === "visiting") {
        const cycle = [...path.slice(path.indexOf(next)), next];
        problems.push({
          path: ["edges", index],
          message: `edge closes a cycle: ${cycle.join(" → ")}`,
          code: "cycle",
        });
      } else if (nextState === undefined) {
        state.set(next, "visiting");
        path.push(next);
        frames.push({ nodeId: next, next: 0 });
      }
    }
  }
  return problems;
}

/** `over`'s types, and `under`'s where `over` has none. */
function layered(under: NodeSchemas | undefined, over: NodeSchemas | undefined): NodeSchemas | undefined {
  if (!under) return over;
  if (!over) return under;
  const input = over.input ?? under.input;
  const outputs = { ...under.outputs, ...over.outputs };
  return { ...(input ? { input } : {}), ...(Object.keys(outputs).length > 0 ? { outputs } : {}) };
}

/**
 * A node's port types: what it declares (`node.schemas`), over types resolved for it outside
 * the flow (`resolved`, by node id), over what its type derives from its config (`portSchemas`).
 */
export function schemasOfNode(
  registry: NodeTypeRegistry,
  resolved?: ReadonlyMap<string, NodeSchemas>,
): SchemasOf {
  return (node) => {
    const definition = registry.get(node.type);
    let derived: NodeSchemas | undefined;
    if (definition?.portSchemas) {
      const config = definition.configSchema.safeParse(node.config);
      if (config.success) derived = definition.portSchemas(config.data);
    }
    return layered(layered(derived, resolved?.get(node.id)), node.schemas);
  };
}

/** Schemas only where the node has such a port: an input (not on sources), declared output ports. */
function checkPortSchemas(flow: FlowSpec, registry: NodeTypeRegistry): Problem[] {
  const problems: Problem[] = [];
  flow.nodes.forEach((node, index) => {
    const { schemas } = node;
    if (!schemas) return;
    if (schemas.input && node.kind === "source") {
      problems.push({
        path: ["nodes", index, "schemas", "input"],
        message: "a source has no input, so no input schema",
        code: "invalid_port",
      });
    }
    const definition = registry.get(node.type);
    const ports = definition ? portsOf(definition, node.outputs) : node.kind === "sink" ? [] : null;
    for (const port of Object.keys(schemas.outputs ?? {})) {
      if (ports && !ports.includes(port)) {
        problems.push({
          path: ["nodes", index, "schemas", "outputs", port],
          message:
            node.kind === "sink"
              ? "a sink has no output ports, so no output schema"
              : `a schema for port '${port}', which the node does not have (ports: ${ports.join(", ") || "none"})`,
          code: "invalid_port",
        });
      }
    }
  });
  return problems;
}

/** Each edge whose sending type provably does not fit the receiving type (see port-schema-compat). */
function checkEdgeTypes(
  flow: FlowSpec,
  registry: NodeTypeRegistry,
  resolved: ReadonlyMap<string, NodeSchemas> | undefined,
): Problem[] {
  const nodes = new Map(flow.nodes.map((node) => [node.id, node]));
  const schemasOf = schemasOfNode(registry, resolved);
  const problems: Problem[] = [];
  flow.edges.forEach((edge, index) => {
    const check = checkEdgeType(edge, nodes, schemasOf);
    if (check?.result.verdict === "no") {
      problems.push({
        path: ["edges", index],
        message: edgeTypeMessage(edge, check),
        code: "incompatible_types",
      });
    }
  });
  return problems;
}

/** Returns the flow with each node's config replaced by its parsed form (defaults filled in). */
function withParsedConfigs(flow: FlowSpec, registry: NodeTypeRegistry): FlowSpec {
  return {
    ...flow,
    nodes: flow.nodes.map((node) => {
      const definition = registry.get(node.type);
      if (!definition) return node;
      const config = definition.configSchema.parse(node.config) as FlowNode["config"];
      return { ...node, config };
    }),
  };
}
