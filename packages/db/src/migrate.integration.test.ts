// Runs against the real Postgres started by @weir/testkit/postgres-setup (or DATABASE_URL).
import { createHash } from "node:crypto";
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createEmptyDatabase } from "@weir/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDb, DesiredState, type Db } from "./index";
import { defaultMigrationsDir, migrate } from "./migrate";

const databaseUrl = inject("databaseUrl");

async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function migrationNames(): Promise<string[]> {
  const entries = await readdir(defaultMigrationsDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

const expectedTables = [
  "dead_letters",
  "deployments",
  "engine_instances",
  "flow_versions",
  "flows",
  "node_stats",
  "sink_log_entries",
  "source_checkpoints",
];

describe("migrate (shared test database, migrated by globalSetup)", () => {
  it("created every table of the schema, and the enums", async () => {
    const tables = await query<{ table_name: string }>(
      databaseUrl,
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([...expectedTables, "_prisma_migrations"]),
    );

    const enums = await query<{ typname: string; labels: string[] }>(
      databaseUrl,
      `SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY t.typname`,
    );
    expect(enums).toEqual(
      expect.arrayContaining([
        {
          typname: "actual_state",
          labels: ["pending", "starting", "running", "stopping", "stopped", "failed"],
        },
        { typname: "desired_state", labels: ["running", "stopped"] },
      ]),
    );
  });

  it("applies nothing when run again", async () => {
    const result = await migrate(databaseUrl);
    expect(result.applied).toEqual([]);
  });

  it("records _prisma_migrations rows the way Prisma does", async () => {
    const names = await migrationNames();
    const rows = await query<{
      id: string;
      checksum: string;
      finished_at: Date | null;
      migration_name: string;
      logs: string | null;
      rolled_back_at: Date | null;
      started_at: Date;
      applied_steps_count: number;
    }>(databaseUrl, "SELECT * FROM _prisma_migrations ORDER BY migration_name");

    expect(rows.map((r) => r.migration_name)).toEqual(names);
    for (const row of rows) {
      const bytes = await readFile(path.join(defaultMigrationsDir, row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(bytes).digest("hex"));
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at?.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it("created _prisma_migrations with Prisma's column types", async () => {
    const columns = await query<{
      column_name: string;
      data_type: string;
      character_maximum_length: number | null;
      is_nullable: string;
      column_default: string | null;
    }>(
      databaseUrl,
      `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
         FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      {
        column_name: "id",
        data_type: "character varying",
        character_maximum_length: 36,
        is_nullable: "NO",
        column_default: null,
      },
      {
        column_name: "checksum",
        data_type: "character varying",
        character_maximum_length: 64,
        is_nullable: "NO",
        column_default: null,
      },
      {
        column_name: "finished_at",
        data_type: "timestamp with time zone",
        character_maximum_length: null,
        is_nullable: "YES",
        column_default: null,
      },
      {
        column_name: "migration_name",
        data_type: "character varying",
        character_maximum_length: 255,
        is_nullable: "NO",
        column_default: null,
      },
      {
        column_name: "logs",
        data_type: "text",
        character_maximum_length: null,
        is_nullable: "YES",
        column_default: null,
      },
      {
        column_name: "rolled_back_at",
        data_type: "timestamp with time zone",
        character_maximum_length: null,
        is_nullable: "YES",
        column_default: null,
      },
      {
        column_name: "started_at",
        data_type: "timestamp with time zone",
        character_maximum_length: null,
        is_nullable: "NO",
        column_default: "now()",
      },
      {
        column_name: "applied_steps_count",
        data_type: "integer",
        character_maximum_length: null,
        is_nullable: "NO",
        column_default: "0",
      },
    ]);
  });
});

describe("migrate (fresh databases)", () => {
  const cleanups: (() => Promise<void>)[] = [];
  let migrationsCopy: string;

  beforeAll(async () => {
    migrationsCopy = await mkdtemp(path.join(tmpdir(), "weir-migrations-"));
    await cp(defaultMigrationsDir, migrationsCopy, { recursive: true });
    cleanups.push(() => rm(migrationsCopy, { recursive: true, force: true }));
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function freshDatabase(): Promise<string> {
    const db = await createEmptyDatabase(databaseUrl);
    cleanups.push(db.drop);
    return db.databaseUrl;
  }

  it("applies every migration once, in order, and returns their names", async () => {
    const url = await freshDatabase();
    const logs: string[] = [];
    const first = await migrate(url, { migrationsDir: migrationsCopy, log: (m) => logs.push(m) });
    expect(first.applied).toEqual(await migrationNames());
    expect(logs.some((l) => l.includes("created _prisma_migrations"))).toBe(true);
    expect((await migrate(url, { migrationsDir: migrationsCopy })).applied).toEqual([]);
  });

  it("lets concurrent callers race safely: each migration is applied exactly once", async () => {
    const url = await freshDatabase();
    const results = await Promise.all([1, 2, 3].map(() => migrate(url, { migrationsDir: migrationsCopy })));
    expect(results.flatMap((r) => r.applied)).toEqual(await migrationNames());
    const rows = await query<{ n: number }>(url, "SELECT count(*)::int AS n FROM _prisma_migrations");
    expect(rows[0]?.n).toBe((await migrationNames()).length);
  });

  it("refuses to run when an applied migration's checksum no longer matches, naming the migration", async () => {
    const url = await freshDatabase();
    await migrate(url, { migrationsDir: migrationsCopy });

    const [first] = await migrationNames();
    if (first === undefined) throw new Error("no migrations found");
    const tampered = await mkdtemp(path.join(tmpdir(), "weir-migrations-tampered-"));
    cleanups.push(() => rm(tampered, { recursive: true, force: true }));
    await cp(migrationsCopy, tampered, { recursive: true });
    await appendFile(path.join(tampered, first, "migration.sql"), "\n-- edited after the fact\n");

    await expect(migrate(url, { migrationsDir: tampered })).rejects.toThrow(
      new RegExp(`Migration ${first} was modified after it was applied`),
    );
  });

  it("accepts the same migration checked out with CRLF line endings, as Prisma does", async () => {
    const url = await freshDatabase();
    await migrate(url, { migrationsDir: migrationsCopy });
    const crlf = await mkdtemp(path.join(tmpdir(), "weir-migrations-crlf-"));
    cleanups.push(() => rm(crlf, { recursive: true, force: true }));
    await cp(migrationsCopy, crlf, { recursive: true });
    const [first] = await migrationNames();
    if (first === undefined) throw new Error("no migrations found");
    const file = path.join(crlf, first, "migration.sql");
    await writeFile(file, (await readFile(file, "utf8")).replaceAll("\n", "\r\n"));
    expect((await migrate(url, { migrationsDir: crlf })).applied).toEqual([]);
  });

  it("refuses to run after a failed attempt (like Prisma's P3009)", async () => {
    const url = await freshDatabase();
    await migrate(url, { migrationsDir: migrationsCopy });
    await query(
      url,
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at)
       VALUES ('00000000-0000-4000-8000-000000000000', 'x', '29990101000000_broken', 'boom', now())`,
    );
    await expect(migrate(url, { migrationsDir: migrationsCopy })).rejects.toThrow(
      /failed migrations[\s\S]*`29990101000000_broken` migration started at .* failed with the following logs:\nboom/,
    );
  });

  it("rolls a failing migration back completely and names it", async () => {
    const url = await freshDatabase();
    const broken = await mkdtemp(path.join(tmpdir(), "weir-migrations-broken-"));
    cleanups.push(() => rm(broken, { recursive: true, force: true }));
    await cp(migrationsCopy, broken, { recursive: true });
    await mkdir(path.join(broken, "29990101000000_broken"));
    await writeFile(
      path.join(broken, "29990101000000_broken", "migration.sql"),
      'CREATE TABLE "half_done" ("id" INTEGER);\nSELECT * FROM "no_such_table";\n',
    );

    await expect(migrate(url, { migrationsDir: broken })).rejects.toThrow(
      /Migration 29990101000000_broken failed and was rolled back: relation "no_such_table" does not exist/,
    );
    const leftovers = await query<{ t: string | null }>(url, "SELECT to_regclass('half_done')::text AS t");
    expect(leftovers[0]?.t).toBeNull();
    const rows = await query<{ migration_name: string }>(
      url,
      "SELECT migration_name FROM _prisma_migrations",
    );
    expect(rows.map((r) => r.migration_name)).toEqual(await migrationNames());
    // Nothing was recorded as failed, so fixing the file is enough to move on.
    await writeFile(
      path.join(broken, "29990101000000_broken", "migration.sql"),
      'CREATE TABLE "half_done" ("id" INTEGER);\n',
    );
    expect((await migrate(url, { migrationsDir: broken })).applied).toEqual(["29990101000000_broken"]);
  });
});

describe("createDb", () => {
  let db: Db;

  beforeAll(() => {
    db = createDb(databaseUrl);
  });

  afterAll(async () => {
    await db.$disconnect();
  });

  it("round-trips a Flow with a FlowVersion and a Deployment", async () => {
    const spec = { nodes: [{ id: "gen", type: "generator" }], edges: [], note: "ünïcødé ✓" };
    const flow = await db.flow.create({
      data: {
        name: "round trip",
        latestVersion: 1,
        versions: { create: { version: 1, spec } },
      },
    });
    expect(flow.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(flow.description).toBe("");

    const read = await db.flow.findUniqueOrThrow({
      where: { id: flow.id },
      include: { versions: true },
    });
    expect(read.name).toBe("round trip");
    expect(read.createdAt).toBeInstanceOf(Date);
    expect(read.versions).toHaveLength(1);
    expect(read.versions[0]?.spec).toEqual(spec);

    const version = await db.flowVersion.findUniqueOrThrow({
      where: { flowId_version: { flowId: flow.id, version: 1 } },
    });
    const deployment = await db.deployment.create({
      data: { flowId: flow.id, flowVersionId: version.id, desiredState: DesiredState.running },
    });
    expect(deployment.actualState).toBe("pending");

    // BigInt autoincrement ids and ON DELETE CASCADE behave as the schema says.
    const entry = await db.sinkLogEntry.create({
      data: { flowId: flow.id, deploymentId: deployment.id, nodeId: "log", record: { n: 1 } },
    });
    expect(typeof entry.id).toBe("bigint");
    await db.flow.delete({ where: { id: flow.id } });
    expect(await db.deployment.count({ where: { flowId: flow.id } })).toBe(0);
    expect(await db.flowVersion.count({ where: { flowId: flow.id } })).toBe(0);
  });
});
