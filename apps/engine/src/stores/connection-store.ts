import type { Db } from "@weir/db";
import { openConnectionSecrets } from "@weir/db";
import type { JsonValue } from "@weir/domain";

type JsonObject = { [key: string]: JsonValue };

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `config` with `secrets` laid over it, objects merged field by field. */
export function mergeSecrets(config: JsonValue, secrets: JsonValue): JsonValue {
  if (!isObject(config) || !isObject(secrets)) return isObject(secrets) ? secrets : config;
  const out: JsonObject = { ...config };
  for (const [key, value] of Object.entries(secrets)) {
    const base = out[key];
    out[key] = isObject(base) && isObject(value) ? mergeSecrets(base, value) : value;
  }
  return out;
}

export interface StoredConnection {
  kind: string;
  /** Config and secrets merged. */
  value: JsonValue;
}

/** Loads a connection profile a node names; fails with the name (never a value) when there is none. */
export async function resolveConnection(db: Db, name: string): Promise<StoredConnection> {
  const row = await db.connectionProfile.findUnique({ where: { name } });
  if (!row) throw new Error(`connection profile '${name}' not found`);
  // Opened with WEIR_SECRET_KEY here, in the engine that connects, and nowhere else.
  const secrets = openConnectionSecrets(db, row) as JsonValue;
  return { kind: row.kind, value: mergeSecrets(row.config as JsonValue, secrets) };
}
