import type { Db } from "@weir/db";
import { openSecretValue } from "@weir/db";

/**
 * Resolves the secrets a function node names, opened with WEIR_SECRET_KEY, failing with the names
 * that are not defined (or a key problem; never a value).
 */
export async function resolveSecrets(db: Db, names: readonly string[]): Promise<Record<string, string>> {
  if (names.length === 0) return {};
  const rows = await db.secret.findMany({ where: { name: { in: [...names] } } });
  const found = new Map(rows.map((row) => [row.name, openSecretValue(db, row)]));
  const missing = names.filter((name) => !found.has(name));
  if (missing.length > 0) {
    throw new Error(
      `secret${missing.length > 1 ? "s" : ""} ${missing.map((n) => `'${n}'`).join(", ")} not defined (set with secrets.set)`,
    );
  }
  return Object.fromEntries(names.map((name) => [name, found.get(name) ?? ""]));
}

/** Replaces every secret value in a text by ***, so logs never carry them. */
export function redact(text: string, secrets: Readonly<Record<string, string>>): string {
  let out = text;
  for (const value of Object.values(secrets)) if (value.length > 0) out = out.split(value).join("***");
  return out;
}
