import type { Db } from "@weir/db";
import type { FlowSpec, Problem } from "@weir/domain";

/**
 * Problems for connection profiles that sources and sinks name in `config.connection` but that
 * do not exist, so a deploy fails at once with the node and the name instead of in the engine.
 */
export async function missingConnections(db: Db, flow: FlowSpec): Promise<Problem[]> {
  const wanted: { index: number; name: string }[] = [];
  flow.nodes.forEach((node, index) => {
    const name = node.config.connection;
    if (node.kind !== "function" && typeof name === "string") wanted.push({ index, name });
  });
  if (wanted.length === 0) return [];
  const rows = await db.connectionProfile.findMany({
    where: { name: { in: [...new Set(wanted.map((w) => w.name))] } },
    select: { name: true },
  });
  const defined = new Set(rows.map((row) => row.name));
  return wanted
    .filter((w) => !defined.has(w.name))
    .map((w) => ({
      path: ["nodes", w.index, "config", "connection"],
      message: `connection profile '${w.name}' not found (create it with connections.set)`,
      code: "missing_connection" as const,
    }));
}
