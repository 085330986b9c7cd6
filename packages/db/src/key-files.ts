// The key files `npm start` keeps in its data directory (.weir): made once, readable only by
// their owner, read again on every start so the same keys open what earlier runs stored.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generateSecretKey, parseSecretKey } from "./secret-box";

export const SECRET_KEY_FILE = "secret.key";
export const INTERNAL_KEY_FILE = "internal.key";

/** A new WEIR_INTERNAL_KEY: 32 random bytes, base64url. */
export function generateInternalKey(): string {
  return randomBytes(32).toString("base64url");
}

/** Writes a key file readable only by its owner, atomically (a crash leaves the old one or the new one). */
export function writeKeyFile(file: string, key: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${key}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

function readOrCreate(file: string, generate: () => string): { key: string; created: boolean } {
  if (existsSync(file)) return { key: readFileSync(file, "utf8").trim(), created: false };
  const key = generate();
  writeKeyFile(file, key);
  return { key, created: true };
}

/** The data directory's WEIR_SECRET_KEY, made on first use; a malformed file is reported, never replaced. */
export function dataDirSecretKey(dataDir: string): { key: string; file: string; created: boolean } {
  const file = path.join(dataDir, SECRET_KEY_FILE);
  const found = readOrCreate(file, generateSecretKey);
  parseSecretKey(found.key, file);
  return { ...found, file };
}

/** The data directory's WEIR_INTERNAL_KEY, made on first use. */
export function dataDirInternalKey(dataDir: string): { key: string; file: string; created: boolean } {
  const file = path.join(dataDir, INTERNAL_KEY_FILE);
  const found = readOrCreate(file, generateInternalKey);
  if (found.key.length < 16)
    throw new Error(`${file} holds a key shorter than 16 characters; delete it to make a new one`);
  return { ...found, file };
}
