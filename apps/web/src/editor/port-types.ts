// Typed ports in the editor: which drawn edges join incompatible ports, the schema text a user
// types (parsed and checked), sample records checked against a node's input type, and the
// TypeScript declaration that types `record.value` in Monaco. The rules are the domain's
// (port-schema*.ts), so what the canvas flags is exactly what a save refuses.
import type { FlowNode, JsonValue, NodeSchemas, PortSchema } from "@weir/domain";
import {
  checkEdgeType,
  describeSchema,
  edgeTypeMessage,
  formatPath,
  portSchemaSchema,
  schemaToTypeScript,
  validateValue,
} from "@weir/domain";
import type { FlowDoc } from "./graph";

export interface EdgeTypeFlag {
  /** The sending and receiving types, short, as the edge's badge shows them. */
  from: string;
  to: string;
  /** Both ports, both types and a record that would be refused. */
  message: string;
}

/** Edges whose sending port's type provably does not fit the receiving node's input, by edge id. */
export function edgeTypeFlags(doc: FlowDoc): Map<string, EdgeTypeFlag> {
  const nodes = new Map(doc.nodes.map((n) => [n.id, n]));
  const flags = new Map<string, EdgeTypeFlag>();
  for (const edge of doc.edges) {
    const check = checkEdgeType(edge, nodes);
    if (check?.result.verdict !== "no") continue;
    flags.set(edge.id, {
      from: describeSchema(check.from, 28),
      to: describeSchema(check.to, 28),
      message: edgeTypeMessage(edge, check),
    });
  }
  return flags;
}

export type SchemaText = { ok: true; schema: PortSchema | undefined } | { ok: false; error: string };

/** A schema as typed in Settings: empty means untyped; otherwise JSON of the supported subset. */
export function parseSchemaText(text: string): SchemaText {
  if (text.trim() === "") return { ok: true, schema: undefined };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const parsed = portSchemaSchema.safeParse(value);
  if (parsed.success) return { ok: true, schema: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${formatPath(issue.path.map(String))}: ` : "";
  return { ok: false, error: `${where}${issue?.message ?? "not a schema"}` };
}

export const schemaText = (schema: PortSchema | undefined): string =>
  schema === undefined ? "" : JSON.stringify(schema, null, 2);

/** The node with its input schema (or one port's) set, or removed when `schema` is undefined. */
export function withSchema(
  node: FlowNode,
  port: { input: true } | { output: string },
  schema: PortSchema | undefined,
): FlowNode {
  const current: NodeSchemas = node.schemas ?? {};
  let next: NodeSchemas;
  if ("input" in port) {
    const { input: _old, ...rest } = current;
    next = schema === undefined ? rest : { ...rest, input: schema };
  } else {
    const outputs = Object.fromEntries(
      Object.entries(current.outputs ?? {}).filter(([p]) => p !== port.output),
    );
    if (schema !== undefined) outputs[port.output] = schema;
    const { outputs: _old, ...rest } = current;
    next = Object.keys(outputs).length > 0 ? { ...rest, outputs } : rest;
  }
  const { schemas: _schemas, ...bare } = node;
  return Object.keys(next).length > 0 ? { ...bare, schemas: next } : bare;
}

/** The node without schemas of ports it no longer has (after its ports were edited). */
export function pruneOutputSchemas(node: FlowNode, ports: readonly string[]): FlowNode {
  let out = node;
  for (const port of Object.keys(node.schemas?.outputs ?? {})) {
    if (!ports.includes(port)) out = withSchema(out, { output: port }, undefined);
  }
  return out;
}

/**
 * Where sample records break the node's input type, as the Test panel shows it:
 * `[1].value.amount: must be number (got string "x")`. Empty when they fit or the node is untyped.
 */
export function sampleTypeProblems(
  records: readonly { value: JsonValue }[],
  input: PortSchema | undefined,
  max = 5,
): string[] {
  if (!input) return [];
  const out: string[] = [];
  records.forEach((record, index) => {
    for (const violation of validateValue(input, record.value, [index, "value"])) {
      if (out.length < max) out.push(`${formatPath(violation.path)}: ${violation.message}`);
    }
  });
  return out;
}

/**
 * A dry run's samples enter at a source: they are checked against the source's own output types
 * and the input type of each node it feeds, each problem named by that node.
 */
export function dryRunSampleProblems(
  doc: FlowDoc,
  sourceId: string,
  records: readonly { value: JsonValue }[],
  max = 5,
): string[] {
  const source = doc.nodes.find((n) => n.id === sourceId);
  if (!source) return [];
  const checks: [string, PortSchema][] = Object.entries(source.schemas?.outputs ?? {}).map(
    ([port, schema]) => [`port '${port}' of '${sourceId}'`, schema],
  );
  for (const edge of doc.edges) {
    if (edge.from.node !== sourceId) continue;
    const input = doc.nodes.find((n) => n.id === edge.to.node)?.schemas?.input;
    if (input && !checks.some(([, s]) => s === input)) checks.push([`input of '${edge.to.node}'`, input]);
  }
  return checks
    .flatMap(([where, schema]) => sampleTypeProblems(records, schema, max).map((p) => `${p} (${where})`))
    .slice(0, max);
}

/**
 * The declaration Monaco gets for the open function: the global `Input`, the type of
 * `record.value` in a `Handler<Input>` (the starter code's), from the node's input schema.
 */
export function inputTypeDeclaration(
  input: PortSchema | undefined,
  /** Where the type came from when it is not the node's own input schema (a registry subject). */
  from = "its input schema (Settings › Input schema)",
): string {
  const type = input ? schemaToTypeScript(input, { multiline: true }).replace(/\n/g, "\n  ") : "JsonValue";
  return `declare global {
  /** The value of the records this node receives${input ? `, from ${from}` : ": any JSON (no input schema is set)"}. */
  type Input = ${type};
}
export {};
`;
}
