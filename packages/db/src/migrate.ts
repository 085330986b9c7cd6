// Applies prisma/migrations to a database the way `prisma migrate deploy` would, without Prisma's
// native schema engine (which cannot be downloaded on offline machines). The bookkeeping table
// `_prisma_migrations` is kept byte-for-byte compatible, so `prisma migrate deploy`/`status` keep
// working against the same database wherever the engine is available.
import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export interface MigrateOptions {
  /** Folder holding `<timestamp>_<name>/migration.sql` folders. Defaults to `<repo>/prisma/migrations`. */
  migrationsDir?: string;
  log?: (msg: string) => void;
}

export interface MigrateResult {
  /** Names of the migrations applied by this call, in order. Empty when the database was up to date. */
  applied: string[];
}

/** `<repo>/prisma/migrations`, found relative to this file (packages/db/src). */
export const defaultMigrationsDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../prisma/migrations",
);

// The advisory lock key Prisma's schema engine takes for every migrate command, so this function,
// other processes running it, and `prisma migrate` itself all exclude each other.
const PRISMA_ADVISORY_LOCK_KEY = 72707369;

// Prisma's exact DDL (schema-engine, postgres flavour `create_migrations_table`).
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

interface MigrationDir {
  name: string;
  script: string;
  checksum: string;
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
}

/** sha256 hex of migration.sql's bytes: the value Prisma stores in `_prisma_migrations.checksum`. */
export function migrationChecksum(script: string | Uint8Array): string {
  return createHash("sha256").update(script).digest("hex");
}

// Mirrors Prisma's `script_matches_checksum`: a checkout with CRLF line endings (git on Windows)
// still matches, and so do checksums written without zero padding by very old Prisma versions.
function checksumMatches(script: string, stored: string): boolean {
  const variants = [script, script.replaceAll("\r\n", "\n"), script.replaceAll("\n", "\r\n")];
  return variants.some((variant) => {
    const digest = createHash("sha256").update(variant, "utf8").digest();
    const rendered =
      stored.length !== 0 && stored.length !== 64
        ? Array.from(digest, (b) => b.toString(16)).join("")
        : digest.toString("hex");
    return rendered === stored;
  });
}

async function readMigrations(dir: string): Promise<MigrationDir[]> {
  if (!existsSync(dir)) throw new Error(`Migrations folder ${dir} does not exist`);

  const lockPath = path.join(dir, "migration_lock.toml");
  if (existsSync(lockPath)) {
    const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(await readFile(lockPath, "utf8"))?.[1];
    if (provider !== undefined && provider !== "postgresql") {
      throw new Error(`${lockPath} says provider = "${provider}", but this database is postgresql`);
    }
  }

  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  const migrations: MigrationDir[] = [];
  for (const name of names) {
    const file = path.join(dir, name, "migration.sql");
    if (!existsSync(file)) {
      throw new Error(`Migration ${name} has no migration.sql (expected ${file})`);
    }
    const bytes = await readFile(file);
    migrations.push({ name, script: bytes.toString("utf8"), checksum: migrationChecksum(bytes) });
  }
  return migrations;
}

function describeFailed(rows: MigrationRow[]): string {
  return rows
    .map((r) => {
      const logs = r.logs?.trim();
      return `The \`${r.migration_name}\` migration started at ${r.started_at.toISOString()} failed${
        logs ? ` with the following logs:\n${logs}` : ""
      }`;
    })
    .join("\n");
}

/**
 * Brings the database at `databaseUrl` up to date with the migrations folder. Safe to call from
 * several processes at once: they serialise on Prisma's advisory lock and only one applies each
 * migration. Each migration runs in one transaction together with its `_prisma_migrations` row, so
 * a failing migration leaves neither half-applied DDL nor a "failed" row behind.
 */
export async function migrate(databaseUrl: string, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const log = opts.log ?? (() => undefined);
  const migrationsDir = opts.migrationsDir ?? defaultMigrationsDir;
  const migrations = await readMigrations(migrationsDir);

  const client = new pg.Client({ connectionString: databaseUrl });
  // A dropped connection must reject the pending query rather than crash the process.
  client.on("error", (err) => {
    log(`migrate: connection error: ${err.message}`);
  });
  await client.connect();
  try {
    const tried = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [
      PRISMA_ADVISORY_LOCK_KEY,
    ]);
    if (tried.rows[0]?.locked !== true) {
      log("migrate: another process is migrating this database; waiting for it to finish");
      await client.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK_KEY]);
    }
    try {
      return await migrateLocked(client, migrations, log);
    } finally {
      // Ending the session releases the lock anyway; don't let a failed unlock hide the real error.
      await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

async function migrateLocked(
  client: pg.Client,
  migrations: MigrationDir[],
  log: (msg: string) => void,
): Promise<MigrateResult> {
  // Resolved through search_path, the same schema Prisma uses (`public` unless ?schema= says otherwise).
  const exists = await client.query<{ t: string | null }>(
    "SELECT to_regclass('_prisma_migrations')::text AS t",
  );
  if (exists.rows[0]?.t == null) {
    await client.query(CREATE_MIGRATIONS_TABLE);
    log("migrate: created _prisma_migrations");
  }

  const { rows } = await client.query<MigrationRow>(
    `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at
       FROM _prisma_migrations ORDER BY started_at ASC`,
  );

  // Like Prisma's P3009: a failed attempt must be resolved by a human (`prisma migrate resolve`).
  const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed.length > 0) {
    throw new Error(
      `migrate found failed migrations in the target database; new migrations will not be applied. ` +
        `Resolve them first (see https://pris.ly/d/migrate-resolve):\n${describeFailed(failed)}`,
    );
  }

  // Rolled-back rows do not count as applied (Prisma re-applies those migrations).
  const appliedRows = rows.filter((r) => r.rolled_back_at === null);
  const onDisk = new Set(migrations.map((m) => m.name));

  for (const m of migrations) {
    for (const row of appliedRows.filter((r) => r.migration_name === m.name)) {
      if (!checksumMatches(m.script, row.checksum)) {
        throw new Error(
          `Migration ${m.name} was modified after it was applied: migration.sql now has checksum ` +
            `${m.checksum}, but the database recorded ${row.checksum}. Never edit an applied migration; ` +
            `restore the original file and add a new migration instead.`,
        );
      }
    }
  }
  for (const row of appliedRows) {
    if (!onDisk.has(row.migration_name)) {
      log(
        `migrate: warning: ${row.migration_name} is applied in the database but missing from the migrations folder`,
      );
    }
  }

  const applied: string[] = [];
  for (const m of migrations) {
    if (appliedRows.some((r) => r.migration_name === m.name)) continue;
    const started = Date.now();
    await client.query("BEGIN");
    try {
      const id = randomUUID();
      await client.query(
        "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())",
        [id, m.checksum, m.name],
      );
      // Simple-query protocol (no parameters), so the multi-statement script runs as written.
      await client.query(m.script);
      await client.query(
        `UPDATE _prisma_migrations
            SET applied_steps_count = applied_steps_count + 1, finished_at = clock_timestamp()
          WHERE id = $1`,
        [id],
      );
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`Migration ${m.name} failed and was rolled back: ${reason}`, { cause: err });
    }
    applied.push(m.name);
    log(`migrate: applied ${m.name} in ${Date.now() - started} ms`);
  }
  if (applied.length === 0) log("migrate: database is up to date");
  return { applied };
}
