// A node's port types in a draft, as the editor shows them: its own schemas, else what its type
// derives from its config, else (for its input) the type sent by every edge into it, with the
// registry-encoded Kafka nodes among them typed from their subjects (registry-types.ts). The
// draft need not be valid: nodes and edges that do not parse are left out, never refused.
import { builtinRegistry } from "@weir/connectors/definitions";
import type { Db } from "@weir/db";
import { flowEdgeSchema, flowNodeSchema, schemasOfNode } from "@weir/domain";
import type { FlowEdge, FlowNode, PortSchema } from "@weir/domain";
import type { RegistryTypeLookup } from "./registry-types";
import { registryNotes, resolveRegistryTypes } from "./registry-types";
import type { Problem } from "@weir/domain";

export interface DerivedPortTypes {
  nodeId: string;
  /** What the node receives; null when untyped (or nothing typed feeds it). */
  input: PortSchema | null;
  /** Where `input` came from: the node's own schema, or the edges into it. */
  inputFrom: "node" | "edges" | null;
  /** By output port, what it sends (typed ports only). */
  outputs: Record<string, PortSchema>;
  /** The registry lookups behind the node's own types and those of the nodes feeding it. */
  registry: RegistryTypeLookup[];
  /** The lookups that left a port untyped, as notes (as a save reports them). */
  notes: Problem[];
}

function parsedItems<T>(raw: unknown, parse: (item: unknown) => { success: boolean; data?: T }): T[] {
  if (!Array.isArray(raw)) return [];
  const out: T[] = [];
  for (const item of raw as unknown[]) {
    const parsed = parse(item);
    if (parsed.success && parsed.data !== undefined) out.push(parsed.data);
  }
  return out;
}

/** The derived types of `nodeId` in `spec`, or null when the draft has no such node. */
export async function derivedPortTypes(
  db: Db,
  spec: unknown,
  nodeId: string,
): Promise<DerivedPortTypes | null> {
  const raw = spec as { nodes?: unknown; edges?: unknown } | null;
  const nodes = parsedItems<FlowNode>(raw?.nodes, (n) => flowNodeSchema.safeParse(n));
  const edges = parsedItems<FlowEdge>(raw?.edges, (e) => flowEdgeSchema.safeParse(e));
  const node = nodes.find((n) => n.id === nodeId);
  if (!node) return null;
  const incoming = edges.filter((e) => e.to.node === nodeId);
  const asked = new Set([nodeId, ...incoming.map((e) => e.from.node)]);
  const { schemas: resolved, lookups } = await resolveRegistryTypes(db, spec, asked);
  const schemasOf = schemasOfNode(builtinRegistry, resolved);
  const own = schemasOf(node);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  let input: PortSchema | null = own?.input ?? null;
  let inputFrom: DerivedPortTypes["inputFrom"] = input ? "node" : null;
  if (!input && incoming.length > 0) {
    const sent: PortSchema[] = [];
    for (const edge of incoming) {
      const from = byId.get(edge.from.node);
      const schema = from ? schemasOf(from)?.outputs?.[edge.from.port] : undefined;
      // One untyped edge in: the input may be anything.
      if (!schema) {
        sent.length = 0;
        break;
      }
      if (!sent.some((s) => JSON.stringify(s) === JSON.stringify(schema))) sent.push(schema);
    }
    if (sent.length > 0) {
      input = sent.length === 1 && sent[0] ? sent[0] : { anyOf: sent };
      inputFrom = "edges";
    }
  }
  return {
    nodeId,
    input,
    inputFrom,
    outputs: { ...(own?.outputs ?? {}) },
    registry: lookups,
    notes: registryNotes(spec, lookups),
  };
}
