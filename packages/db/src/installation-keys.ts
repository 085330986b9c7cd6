// The installation's keys, carried by the database handle they belong with, so every process
// (web, engine, a test) that opens the database with its keys can seal and open what it stores
// and call its engines, and nothing else has to thread them through.
import type { SecretBox } from "./secret-box";

export interface InstallationKeys {
  /** WEIR_SECRET_KEY: seals secrets, connection-profile passwords and ingest tokens at rest. */
  secretBox?: SecretBox | undefined;
  /** WEIR_INTERNAL_KEY: what the web process shows an engine to call /trigger. */
  internalKey?: string | undefined;
}

const byDb = new WeakMap<object, InstallationKeys>();

/** Gives a database handle its keys (createDb does this when it is given them). */
export function attachInstallationKeys(db: object, keys: InstallationKeys): void {
  byDb.set(db, { ...keys });
}

export function installationKeys(db: object): InstallationKeys {
  return byDb.get(db) ?? {};
}

/** The box that seals secrets for this database; throws a clear error when no key was given. */
export function secretBoxOf(db: object): SecretBox {
  const box = byDb.get(db)?.secretBox;
  if (!box) {
    throw new Error(
      "WEIR_SECRET_KEY is not set, so secrets cannot be stored or read: set it to 32 random bytes " +
        "in base64 or hex (openssl rand -base64 32); npm start makes one in .weir/secret.key",
    );
  }
  return box;
}
