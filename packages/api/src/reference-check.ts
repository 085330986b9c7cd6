import type { Db } from "@weir/db";
import type { FlowSpec, Problem } from "@weir/domain";
import { functionConfigSchema } from "@weir/domain";

/** A name a node refers to that must exist outside the flow: a secret, a connection profile or an artifact. */
interface Reference {
  path: (string | number)[];
  name: string;
}

/**
 * Problems for the secrets and artifacts function nodes name and the connection profiles sources
 * and sinks name that do not exist, so a deploy fails at once with the node and the name
 * instead of later in the engine.
 */
export async function missingReferences(db: Db, flow: FlowSpec): Promise<Problem[]> {
  const secrets: Reference[] = [];
  const connections: Reference[] = [];
  const artifacts: Reference[] = [];
  flow.nodes.forEach((node, index) => {
    if (node.kind === "function") {
      const config = functionConfigSchema.safeParse(node.config);
      if (!config.success) return;
      config.data.secrets.forEach((name, position) =>
        secrets.push({ path: ["nodes", index, "config", "secrets", position], name }),
      );
      if (config.data.runtime === "wasm" && config.data.artifact !== undefined) {
        artifacts.push({ path: ["nodes", index, "config", "artifact"], name: config.data.artifact });
      }
    } else {
      // `connection`: a Kafka profile; `registry`: the schema-registry profile of a Kafka node.
      for (const field of ["connection", "registry"] as const) {
        const name = node.config[field];
        if (typeof name === "string") connections.push({ path: ["nodes", index, "config", field], name });
      }
    }
  });
  const [definedSecrets, definedConnections, storedArtifacts] = await Promise.all([
    existing(secrets, (names) =>
      db.secret.findMany({ where: { name: { in: names } }, select: { name: true } }),
    ),
    existing(connections, (names) =>
      db.connectionProfile.findMany({ where: { name: { in: names } }, select: { name: true } }),
    ),
    existing(artifacts, async (names) =>
      (await db.wasmArtifact.findMany({ where: { sha256: { in: names } }, select: { sha256: true } })).map(
        (row) => ({ name: row.sha256 }),
      ),
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
    ...artifacts
      .filter((ref) => !storedArtifacts.has(ref.name))
      .map((ref) => ({
        path: ref.path,
        message: `artifact ${ref.name} not found (upload the component with artifacts.upload or POST /api/artifacts)`,
        code: "missing_artifact" as const,
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
