// Secrets at rest on real Postgres: sealed rows, start-up sealing of plain rows, the refusal to
// start without the key or with another one, and rotation (as the npm script runs it).
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { useTestDatabase } from "@weir/testkit/test-database";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "./client";
import { migrate } from "./migrate";
import type { Db } from "./client";
import { SecretBox, generateSecretKey } from "./secret-box";
import {
  openConnectionSecrets,
  openSecretValue,
  prepareSecretStore,
  sealConnectionSecrets,
  sealSecretValue,
} from "./sealed-secrets";

const t = useTestDatabase("weir_sealed_test");
const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const opened: Db[] = [];
afterAll(async () => {
  await Promise.all(opened.map((db) => db.$disconnect()));
});

function dbWith(key: string | undefined): Db {
  const db = createDb(t.url, key === undefined ? {} : { secretBox: SecretBox.fromText(key) });
  opened.push(db);
  return db;
}

async function rawRows(): Promise<string> {
  const client = new pg.Client({ connectionString: t.url });
  await client.connect();
  try {
    const secrets = await client.query("SELECT * FROM secrets");
    const profiles = await client.query("SELECT * FROM connection_profiles");
    return JSON.stringify([secrets.rows, profiles.rows]);
  } finally {
    await client.end();
  }
}

async function clear(): Promise<void> {
  await t.db.secret.deleteMany();
  await t.db.connectionProfile.deleteMany();
}

describe("secrets at rest", () => {
  it("writes only ciphertext, and opens it again", async () => {
    await clear();
    const value = "postgres://user:Sup3r-Secret@db/app";
    await t.db.secret.create({ data: { name: "DB_URL", ...sealSecretValue(t.db, "DB_URL", value) } });
    const password = "kafka-Pa55word";
    const secrets = { sasl: { password } };
    await t.db.connectionProfile.create({
      data: { name: "prod", kind: "kafka", config: {}, ...sealConnectionSecrets(t.db, "prod", secrets) },
    });
    const raw = await rawRows();
    expect(raw).not.toContain(value);
    expect(raw).not.toContain("Sup3r-Secret");
    expect(raw).not.toContain(password);
    expect(raw).toContain("wsb1.");
    const secret = await t.db.secret.findUniqueOrThrow({ where: { name: "DB_URL" } });
    expect(openSecretValue(t.db, secret)).toBe(value);
    const profile = await t.db.connectionProfile.findUniqueOrThrow({ where: { name: "prod" } });
    expect(openConnectionSecrets(t.db, profile)).toEqual(secrets);
  });

  it("seals rows from before encryption at start, once", async () => {
    await clear();
    await t.db.secret.create({ data: { name: "OLD", value: "plain-old-value" } });
    await t.db.connectionProfile.create({
      data: { name: "old", kind: "kafka", config: {}, secrets: { sasl: { password: "plain-pw" } } },
    });
    // Without a key the rows stay readable as they are, and the start is allowed.
    expect(await prepareSecretStore(dbWith(undefined))).toEqual({ sealedNow: 0, plain: 2 });
    expect(await prepareSecretStore(t.db)).toEqual({ sealedNow: 2, plain: 0 });
    expect(await prepareSecretStore(t.db)).toEqual({ sealedNow: 0, plain: 0 });
    const raw = await rawRows();
    expect(raw).not.toContain("plain-old-value");
    expect(raw).not.toContain("plain-pw");
    const secret = await t.db.secret.findUniqueOrThrow({ where: { name: "OLD" } });
    expect(openSecretValue(t.db, secret)).toBe("plain-old-value");
    const profile = await t.db.connectionProfile.findUniqueOrThrow({ where: { name: "old" } });
    expect(openConnectionSecrets(t.db, profile)).toEqual({ sasl: { password: "plain-pw" } });
  });

  it("refuses to start without the key, or with another one, once rows are encrypted", async () => {
    await clear();
    await t.db.secret.create({ data: { name: "S", ...sealSecretValue(t.db, "S", "v") } });
    await expect(prepareSecretStore(dbWith(undefined))).rejects.toThrow(
      /encrypted, but WEIR_SECRET_KEY is not set/,
    );
    await expect(prepareSecretStore(dbWith(generateSecretKey()))).rejects.toThrow(
      /encrypted with key .* but WEIR_SECRET_KEY is key/,
    );
  });

  it("rotates every value to a new key with the npm script; old key refused after, run twice is a no-op", async () => {
    await clear();
    await t.db.secret.create({ data: { name: "A", ...sealSecretValue(t.db, "A", "value-a") } });
    await t.db.secret.create({ data: { name: "LEGACY", value: "legacy-plain" } });
    await t.db.connectionProfile.create({
      data: {
        name: "p",
        kind: "kafka",
        config: {},
        ...sealConnectionSecrets(t.db, "p", { sasl: { password: "pw" } }),
      },
    });
    const next = generateSecretKey();
    const dir = mkdtempSync(path.join(tmpdir(), "weir-rotate-"));
    const fromFile = path.join(dir, "old.key");
    const toFile = path.join(dir, "new.key");
    writeFileSync(fromFile, (await import("@weir/testkit/test-keys")).TEST_SECRET_KEY);
    writeFileSync(toFile, next);
    const run = () =>
      promisify(execFile)(
        "npx",
        ["tsx", "scripts/rotate-secret-key.ts", "--from", `@${fromFile}`, "--to", `@${toFile}`],
        {
          cwd: packageDir,
          env: { ...process.env, DATABASE_URL: t.url },
        },
      );
    const first = await run();
    expect(first.stdout).toContain("re-encrypted 3 value(s)");
    const again = await run();
    expect(again.stdout).toContain("re-encrypted 0 value(s)");
    expect(again.stdout).toContain("3 already under the new key");
    expect(first.stdout + first.stderr).not.toContain(next);

    const rotated = dbWith(next);
    expect(await prepareSecretStore(rotated)).toEqual({ sealedNow: 0, plain: 0 });
    await expect(prepareSecretStore(t.db)).rejects.toThrow(/but WEIR_SECRET_KEY is key/);
    const rows = await rotated.secret.findMany({ orderBy: { name: "asc" } });
    expect(rows.map((row) => openSecretValue(rotated, row))).toEqual(["value-a", "legacy-plain"]);
    expect(() => rows.map((row) => openSecretValue(t.db, row))).toThrow(/encrypted with key/);
    const profile = await rotated.connectionProfile.findUniqueOrThrow({ where: { name: "p" } });
    expect(openConnectionSecrets(rotated, profile)).toEqual({ sasl: { password: "pw" } });
    expect(await rawRows()).not.toContain("value-a");
  });

  it("changes nothing when a row is under neither key", async () => {
    await clear();
    const stranger = dbWith(generateSecretKey());
    await t.db.secret.create({ data: { name: "MINE", ...sealSecretValue(t.db, "MINE", "m") } });
    await t.db.secret.create({ data: { name: "THEIRS", ...sealSecretValue(stranger, "THEIRS", "x") } });
    const before = await rawRows();
    const { rotateSecretKey } = await import("./sealed-secrets");
    const { TEST_SECRET_KEY } = await import("@weir/testkit/test-keys");
    await expect(
      rotateSecretKey(t.db, SecretBox.fromText(TEST_SECRET_KEY), SecretBox.fromText(generateSecretKey())),
    ).rejects.toThrow(/secret THEIRS is encrypted with key .* nothing was changed/);
    expect(await rawRows()).toBe(before);
  });

  it("rotates an npm start install (no DATABASE_URL): its own Postgres, .weir/secret.key replaced by the new key", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "weir-rotate-local-"));
    // As root, Postgres runs as the "postgres" user, which must be able to enter the folder.
    chmodSync(dataDir, 0o755);
    const { startEmbeddedPostgres } = await import("./embedded");
    const old = generateSecretKey();
    const server = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pgdata"), persistent: true });
    const port = server.port;
    try {
      await migrate(server.databaseUrl);
      const local = createDb(server.databaseUrl, { secretBox: SecretBox.fromText(old) });
      await local.secret.create({
        data: { name: "LOCAL", ...sealSecretValue(local, "LOCAL", "local-value") },
      });
      await local.$disconnect();
    } finally {
      await server.stop();
    }
    writeFileSync(path.join(dataDir, "secret.key"), `${old}\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, WEIR_DATA_DIR: dataDir, WEIR_PG_PORT: String(port) };
    delete env.DATABASE_URL;
    const { stdout } = await promisify(execFile)("npx", ["tsx", "scripts/rotate-secret-key.ts"], {
      cwd: packageDir,
      env,
    });
    expect(stdout).toContain("re-encrypted 1 value(s)");
    const next = readFileSync(path.join(dataDir, "secret.key"), "utf8").trim();
    expect(next).not.toBe(old);
    expect(existsSync(path.join(dataDir, "secret.key.next"))).toBe(false);
    expect(stdout).not.toContain(next);
    const again = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "pgdata"),
      port,
      persistent: true,
    });
    try {
      const reopened = createDb(again.databaseUrl, { secretBox: SecretBox.fromText(next) });
      const row = await reopened.secret.findUniqueOrThrow({ where: { name: "LOCAL" } });
      expect(openSecretValue(reopened, row)).toBe("local-value");
      await reopened.$disconnect();
    } finally {
      await again.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
