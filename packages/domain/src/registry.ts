import type { NodeTypeDefinition } from "./node-type";

export interface NodeTypeRegistry {
  get(type: string): NodeTypeDefinition | undefined;
  list(): readonly NodeTypeDefinition[];
}

/** Builds a registry from an explicit list; nothing registers itself by being imported. */
export function createNodeTypeRegistry(definitions: readonly NodeTypeDefinition[]): NodeTypeRegistry {
  const byType = new Map<string, NodeTypeDefinition>();
  for (const definition of definitions) {
    if (byType.has(definition.type)) {
      throw new Error(`node type '${definition.type}' is registered twice`);
    }
    byType.set(definition.type, definition);
  }
  const all = [...byType.values()];
  return {
    get: (type) => byType.get(type),
    list: () => all,
  };
}
