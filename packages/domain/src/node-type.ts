import type { z } from "zod";
import type { NodeKind } from "./flow";
import type { NodeSchemas } from "./port-schema";

/**
 * Output ports a node type offers: a fixed list, or `user-defined` when each node declares
 * its own (function nodes route to ports their author names).
 */
export type PortsSpec = { fixed: readonly string[] } | { userDefined: { default: readonly string[] } };

/**
 * What the API, the editor and the engine know about one node type. The config schema is the
 * single source of truth: the TS type, deploy-time validation and (through z.toJSONSchema)
 * the editor's form all derive from it.
 */
export interface NodeTypeDefinition<Config = unknown> {
  type: string;
  version: number;
  kind: NodeKind;
  name: string;
  description: string;
  /** An icon name from the editor's icon set. */
  icon: string;
  configSchema: z.ZodType<Config>;
  ports: PortsSpec;
  /**
   * Port types this node type knows from its config (a source reading a registry subject: its
   * output port's type). Types the node declares itself (`node.schemas`) take precedence.
   */
  // Method syntax: parameters are bivariant, so a definition with a concrete Config still fits NodeTypeDefinition.
  portSchemas?(config: Config): NodeSchemas | undefined;
}

export function portsOf(definition: NodeTypeDefinition, declared: readonly string[] | undefined): string[] {
  if ("fixed" in definition.ports) return [...definition.ports.fixed];
  return [...(declared ?? definition.ports.userDefined.default)];
}
