// The Prisma client for Weir's metadata database, talking to Postgres through node-postgres
// (Prisma 7's driver-adapter setup: no native query engine involved).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";
import { attachInstallationKeys } from "./installation-keys";
import type { InstallationKeys } from "./installation-keys";

export type Db = PrismaClient;

/**
 * A client with its own connection pool; call `$disconnect()` when done with it. `keys` are the
 * installation's keys (secretBoxOf / installationKeys read them back from the client).
 */
export function createDb(databaseUrl: string, keys: InstallationKeys = {}): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl });
  const db = new PrismaClient({ adapter });
  attachInstallationKeys(db, keys);
  return db;
}
