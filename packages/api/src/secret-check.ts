import type { Db } from "@weir/db";
import type { FlowSpec, Problem } from "@weir/domain";
import { functionConfigSchema } from "@weir/domain";

/**
 * Problems for secrets that function nodes name but nobody has set, so a deploy fails at once
 * with the node and the name instead of later in the engine.
 */
export async function missingSecrets(db: Db, flow: FlowSpec): Promise<Problem[]> {
  const wanted: { index: number; position: number; name: string }[] = [];
  flow.nodes.forEach((node, index) => {
    if (node.kind !== "function") return;
    const config = functionConfigSchema.safeParse(node.config);
    if (!config.success) return;
    config.data.secrets.forEach((name, position) => wanted.push({ index, position, name }));
  });
  if (wanted.length === 0) return [];
  const rows = await db.secret.findMany({
    where: { name: { in: [...new Set(wanted.map((w) => w.name))] } },
    select: { name: true },
  });
  const defined = new Set(rows.map((row) => row.name));
  return wanted
    .filter((w) => !defined.has(w.name))
    .map((w) => ({
      path: ["nodes", w.index, "config", "secrets", w.position],
      message: `secret '${w.name}' is not set (set it with secrets.set)`,
      code: "missing_secret" as const,
    }));
}
