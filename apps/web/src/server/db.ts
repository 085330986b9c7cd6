// One Prisma client (and so one connection pool) per server process, made on first use.
import { SecretBox, createDb } from "@weir/db";
import type { Db, InstallationKeys } from "@weir/db";
import { env, readKeysEnv } from "~/env";

// `next dev` re-evaluates modules on every edit; keeping the client on globalThis stops each
// reload from opening another pool.
const globalForDb = globalThis as typeof globalThis & { weirDb?: Db };

let client: Db | undefined;

export function getDb(): Db {
  client ??= globalForDb.weirDb ?? createDb(env().DATABASE_URL, installationKeys());
  if (process.env.NODE_ENV !== "production") globalForDb.weirDb = client;
  return client;
}

/** The keys the database handle carries (a malformed WEIR_SECRET_KEY is reported, not echoed). */
function installationKeys(): InstallationKeys {
  const { secretKey, internalKey } = readKeysEnv();
  return { secretBox: secretKey === undefined ? undefined : SecretBox.fromText(secretKey), internalKey };
}
