// What `npm start` keeps in its data directory for accounts: the key that signs session cookies,
// and an admin API token for the scripts and examples on this machine (examples/quickstart.mjs
// reads it), owned by a local service account that has no password and so cannot sign in.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Db } from "@weir/db";
import { writeKeyFile } from "@weir/db/key-files";
import { createToken, hashToken } from "./tokens";

export const AUTH_SECRET_FILE = "auth.key";
export const ADMIN_TOKEN_FILE = "admin-token";
export const LOCAL_SERVICE_USER = { id: "local-scripts", email: "scripts@localhost.invalid" } as const;

/** The data directory's WEIR_AUTH_SECRET, made on first use. */
export function dataDirAuthSecret(dataDir: string): { key: string; file: string; created: boolean } {
  const file = path.join(dataDir, AUTH_SECRET_FILE);
  if (existsSync(file)) return { key: readFileSync(file, "utf8").trim(), file, created: false };
  const key = randomBytes(32).toString("base64url");
  writeKeyFile(file, key);
  return { key, file, created: true };
}

/**
 * Keeps `<dataDir>/admin-token` holding a working admin token: an existing one is kept while it
 * is valid (an admin may revoke it; then a new one is written on the next start).
 */
export async function ensureLocalAdminToken(
  db: Db,
  dataDir: string,
): Promise<{ file: string; created: boolean }> {
  const file = path.join(dataDir, ADMIN_TOKEN_FILE);
  if (existsSync(file)) {
    const token = readFileSync(file, "utf8").trim();
    const row = await db.apiToken.findUnique({ where: { hash: hashToken(token) }, include: { user: true } });
    if (row && !row.revokedAt && !row.user.banned) return { file, created: false };
  }
  await db.user.upsert({
    where: { id: LOCAL_SERVICE_USER.id },
    create: { ...LOCAL_SERVICE_USER, name: "Local scripts (npm start)", role: "admin" },
    update: {},
  });
  const made = await createToken(db, {
    name: "npm start: local scripts",
    role: "admin",
    userId: LOCAL_SERVICE_USER.id,
    createdBy: LOCAL_SERVICE_USER.id,
  });
  writeKeyFile(file, made.token);
  return { file, created: true };
}
