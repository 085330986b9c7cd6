// One Prisma client (and so one connection pool) per server process, made on first use.
import { createDb } from "@weir/db";
import type { Db } from "@weir/db";
import { env } from "~/env";

// `next dev` re-evaluates modules on every edit; keeping the client on globalThis stops each
// reload from opening another pool.
const globalForDb = globalThis as typeof globalThis & { weirDb?: Db };

let client: Db | undefined;

export function getDb(): Db {
  client ??= globalForDb.weirDb ?? createDb(env().DATABASE_URL);
  if (process.env.NODE_ENV !== "production") globalForDb.weirDb = client;
  return client;
}
