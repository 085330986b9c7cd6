import type { Db } from "@weir/db";
import type { FlowSpec, Problem } from "@weir/domain";
import { functionConfigSchema } from "@weir/domain";

/** A name a node refers to that must exist outside the flow: a secret or a connection profile. */
interface Reference {
  path: (string | number)[];
  name: string;
}

/**
 * Problems for the secrets function nodes name and the connection profiles sources and sinks
 * name that do not exist, so a deploy fails at once with the node and the name instead of
 * later in the engine.
 */
export async function missingReferences(db: Db, flow: FlowSpec): Promise<Problem[]> {
  const secrets: Reference[] = [];
  const connections: Reference[] = [];
  flow.nodes.forEach((node, index) => {
    if (node.kind === "function") {
      const config = functionConfigSchema.safeParse(node.config);
      if (!config.success) return;
      config.data.secrets.forEach((name, position) =>
        secrets.push({ path: ["nodes", index, "config", "secrets", position], name }),
      );
    } else if (typeof node.config.connection === "string") {
      connections.push({ path: ["nodes", index, "config", "connection"], name: node.config.connection });
    }
  });
  const [definedSecrets, definedConnections] = await Promise.all([
    existing(secrets, (names) =>
      db.secret.findMany({ where: { name: { in: names } }, select: { name: true } }),
    ),
    existing(connections, (names) =>
      db.connectionProfile.findMany({ where: { name: { in: names } }, select: { name: true } }),
    ),
  ]);
  return [
    ...secrets
      .filter((ref) => !definedSecrets.has(ref.name))
      .map((ref) => ({
        path: ref.path,
        message: `secret '${ref.name}' is not set (set it with secrets.set)`,
        code: "missing_secret" as const,
      })),
    ...connections
      .filter((ref) => !definedConnections.has(ref.name))
      .map((ref) => ({
        path: ref.path,
        message: `connection profile '${ref.name}' not found (create it with connections.set)`,
        code: "missing_connection" as const,
      })),
  ];
}

async function existing(
  refs: readonly Reference[],
  find: (names: string[]) => Promise<{ name: string }[]>,
): Promise<Set<string>> {
  if (refs.length === 0) return new Set();
  const rows = await find([...new Set(refs.map((ref) => ref.name))]);
  return new Set(rows.map((row) => row.name));
}
