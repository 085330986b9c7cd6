// `npm run secrets:rotate -- [--from KEY] [--to KEY]`: re-encrypts every stored secret value
// (secrets, connection-profile passwords, ingest tokens) from one WEIR_SECRET_KEY to another, in
// one transaction. A KEY is the key itself or `@path` to a file holding it (a file keeps the key
// out of the process list and shell history).
//
// Against DATABASE_URL (the compose stack): both keys are required; afterwards set the new one as
// WEIR_SECRET_KEY and restart. Without DATABASE_URL (an `npm start` install, stopped first): the
// data directory's Postgres is started, --from defaults to .weir/secret.key, --to to a new key, and
// the new key replaces .weir/secret.key once the database holds only values sealed with it.
import { existsSync, readFileSync, renameSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createDb, generateSecretKey, migrate, rotateSecretKey, SecretBox } from "../src/index";
import { SECRET_KEY_FILE, writeKeyFile } from "../src/key-files";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

function say(message: string): void {
  process.stdout.write(`[secrets:rotate] ${message}\n`);
}

/** A key given on the command line: the key itself, or `@file`. */
function keyText(value: string, flag: string): string {
  if (!value.startsWith("@")) return value;
  const file = path.resolve(value.slice(1));
  if (!existsSync(file)) throw new Error(`${flag}: ${file} does not exist`);
  return readFileSync(file, "utf8").trim();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { from: { type: "string" }, to: { type: "string" } },
    allowPositionals: false,
  });
  const databaseUrl = process.env.DATABASE_URL;
  const dataDir = path.resolve(root, process.env.WEIR_DATA_DIR ?? ".weir");
  const keyFile = path.join(dataDir, SECRET_KEY_FILE);
  let stop: (() => Promise<void>) | undefined;
  let url = databaseUrl;
  let from = values.from;
  let to = values.to;
  if (!url) {
    from ??= `@${keyFile}`;
    to ??= generateSecretKey();
    const { startEmbeddedPostgres } = await import("../src/embedded");
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "pgdata"),
      port: Number(process.env.WEIR_PG_PORT ?? 54329),
      persistent: true,
    });
    url = pg.databaseUrl;
    stop = pg.stop;
    say(`using the Postgres in ${path.relative(root, pg.dataDir)} (stop npm start first)`);
  }
  if (from === undefined || to === undefined) {
    throw new Error("with DATABASE_URL set, give both --from and --to (a key, or @file holding it)");
  }
  const fromBox = SecretBox.fromText(keyText(from, "--from"), "--from");
  const toBox = SecretBox.fromText(keyText(to, "--to"), "--to");
  // The new key is on disk before any row depends on it; it replaces the old one only after.
  const nextFile = `${keyFile}.next`;
  if (!databaseUrl) writeKeyFile(nextFile, keyText(to, "--to"));
  try {
    await migrate(url);
    const db = createDb(url);
    try {
      const { rotated, alreadyCurrent } = await rotateSecretKey(db, fromBox, toBox);
      say(
        `re-encrypted ${rotated} value(s) from key ${fromBox.keyId} to key ${toBox.keyId}` +
          (alreadyCurrent > 0 ? ` (${alreadyCurrent} already under the new key)` : ""),
      );
    } finally {
      await db.$disconnect();
    }
    if (!databaseUrl) {
      renameSync(nextFile, keyFile);
      say(`${path.relative(root, keyFile)} now holds key ${toBox.keyId}; npm start uses it from now on`);
    } else {
      say(`now set WEIR_SECRET_KEY to the new key (id ${toBox.keyId}) and restart the web app and engines`);
    }
  } finally {
    await stop?.();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[secrets:rotate] failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
