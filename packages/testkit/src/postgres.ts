// Real Postgres for tests: a throwaway embedded cluster in a temp dir, migrated to the current schema.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "@weir/db/embedded";
import { migrate } from "@weir/db/migrate";
import pg from "pg";

// Also declared in postgres-setup.ts; repeated here so `inject("databaseUrl")` type-checks in any
// package that imports @weir/testkit, without importing the setup file itself.
declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export interface PostgresHandle {
  databaseUrl: string;
  stop: () => Promise<void>;
}

/** Starts a fresh cluster on a random port with all migrations applied; stop() deletes it. */
export async function startTestPostgres(opts: { log?: (msg: string) => void } = {}): Promise<PostgresHandle> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "weir-test-pg-"));
  let server: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  try {
    server = await startEmbeddedPostgres({
      dataDir,
      persistent: false,
      ...(opts.log ? { log: opts.log } : {}),
    });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  try {
    await migrate(server.databaseUrl, opts.log ? { log: opts.log } : {});
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { databaseUrl: server.databaseUrl, stop: server.stop };
}

/**
 * Creates an empty database next to the one at `databaseUrl` (same server and credentials, which
 * must allow CREATE DATABASE), for tests that need a database of their own. Nothing is migrated.
 */
export async function createEmptyDatabase(
  databaseUrl: string,
  prefix = "weir_test",
): Promise<{ databaseUrl: string; name: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const quoted = `"${name}"`;
  await admin(`CREATE DATABASE ${quoted}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    name,
    drop: () => admin(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`),
  };
}
