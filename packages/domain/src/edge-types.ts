// Port types on a flow's edges: each edge's sending type (the source node's output port schema)
// against its receiving type (the target node's input schema). validateFlow reports the edges
// that cannot fit; the editor flags the same edges while they are drawn.
import type { FlowEdge, FlowNode } from "./flow";
import type { NodeSchemas, PortSchema } from "./port-schema";
import type { Compatibility } from "./port-schema-compat";
import { compatible } from "./port-schema-compat";
import { describeSchema } from "./port-schema-typescript";
import { formatPath } from "./problem";

export interface EdgeTypeCheck {
  /** The sending port's type. */
  from: PortSchema;
  /** The receiving node's input type. */
  to: PortSchema;
  result: Compatibility;
}

/** The schemas of a node: by default what it declares itself. */
export type SchemasOf = (node: FlowNode) => NodeSchemas | undefined;

export const declaredSchemas: SchemasOf = (node) => node.schemas;

/** The type check of one edge, or undefined when either end is untyped (nothing to check). */
export function checkEdgeType(
  edge: Pick<FlowEdge, "from" | "to">,
  nodes: ReadonlyMap<string, FlowNode>,
  schemasOf: SchemasOf = declaredSchemas,
): EdgeTypeCheck | undefined {
  const source = nodes.get(edge.from.node);
  const target = nodes.get(edge.to.node);
  if (!source || !target) return undefined;
  const from = schemasOf(source)?.outputs?.[edge.from.port];
  const to = schemasOf(target)?.input;
  if (!from || !to) return undefined;
  return { from, to, result: compatible(from, to) };
}

/** `'enrich'.big sends { n: number } but 'out' accepts { n: string }: at n must be … e.g. {"n":0}` */
export function edgeTypeMessage(edge: Pick<FlowEdge, "from" | "to">, check: EdgeTypeCheck): string {
  if (check.result.verdict !== "no") return "";
  const { witness, violation } = check.result;
  const where = violation.path.length > 0 ? `at ${formatPath(violation.path)}: ` : "";
  const example = JSON.stringify(witness);
  return (
    `port '${edge.from.port}' of '${edge.from.node}' sends ${describeSchema(check.from)} ` +
    `but the input of '${edge.to.node}' accepts ${describeSchema(check.to)}: ` +
    `a record such as ${example.length > 60 ? `${example.slice(0, 59)}…` : example} would be refused (${where}${violation.message})`
  );
}
