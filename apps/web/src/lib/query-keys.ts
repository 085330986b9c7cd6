// TanStack Query keys, in one place so a mutation invalidates exactly what it changed.
export const keys = {
  flows: ["flows"] as const,
  flow: (id: string) => ["flow", id] as const,
  versions: (id: string) => ["flow", id, "versions"] as const,
  deployment: (id: string) => ["flow", id, "deployment"] as const,
  deadLetters: (id: string) => ["flow", id, "dead-letters"] as const,
  logs: (id: string, nodeId: string) => ["flow", id, "logs", nodeId] as const,
  nodeTypes: ["node-types"] as const,
  engines: ["engines"] as const,
  secrets: ["secrets"] as const,
  connections: ["connections"] as const,
  artifacts: ["artifacts"] as const,
  activity: ["activity"] as const,
  /** flow.portTypes of a draft's node (use-derived-types.ts), keyed further by node and draft. */
  derivedPortTypes: ["derived-port-types"] as const,
};
