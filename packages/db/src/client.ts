// The Prisma client for Weir's metadata database, talking to Postgres through node-postgres
// (Prisma 7's driver-adapter setup: no native query engine involved).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";

export type Db = PrismaClient;

/** A client with its own connection pool; call `$disconnect()` when done with it. */
export function createDb(databaseUrl: string): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl });
  return new PrismaClient({ adapter });
}
