// How each table that holds secret values stores them sealed (secret-box.ts), and the whole-store
// operations: the start-up check and sealing of rows written before encryption, and rotation.
// Every row names its key in `key_id`; null means the row predates encryption (plain text).
import type { Db } from "./client";
import { ingestContext } from "./ingest-tokens";
import { installationKeys, secretBoxOf } from "./installation-keys";
import type { SecretBox } from "./secret-box";

/** The associated data that binds a sealed value to its row. */
export const sealContext = {
  secret: (name: string) => `secret:${name}`,
  connection: (name: string) => `connection:${name}`,
};

/** A secret's value sealed for the `secrets` row `name`. */
export function sealSecretValue(db: Db, name: string, value: string): { value: string; keyId: string } {
  const box = secretBoxOf(db);
  return { value: box.seal(value, sealContext.secret(name)), keyId: box.keyId };
}

/** A `secrets` row's value in plain text. */
export function openSecretValue(db: Db, row: { name: string; value: string; keyId: string | null }): string {
  if (row.keyId === null) return row.value;
  return secretBoxOf(db).open(row.value, sealContext.secret(row.name));
}

/** A connection profile's secret fields (a JSON object) sealed for the row `name`. */
export function sealConnectionSecrets(
  db: Db,
  name: string,
  secrets: Record<string, unknown>,
): { secrets: string; keyId: string } {
  const box = secretBoxOf(db);
  return { secrets: box.seal(JSON.stringify(secrets), sealContext.connection(name)), keyId: box.keyId };
}

/** A connection profile's secret fields in plain JSON. */
export function openConnectionSecrets(
  db: Db,
  row: { name: string; secrets: unknown; keyId: string | null },
): unknown {
  if (row.keyId === null) return row.secrets;
  if (typeof row.secrets !== "string") {
    throw new Error(`the stored secrets of connection profile ${row.name} are not a sealed value`);
  }
  return JSON.parse(secretBoxOf(db).open(row.secrets, sealContext.connection(row.name))) as unknown;
}

/** One table's sealed column, read and written in plain text form by the whole-store operations. */
interface SealedTable {
  what: string;
  /** Every row: its id, its value as text (sealed, or plain when keyId is null) and its key. */
  rows(db: Db): Promise<{ id: string; text: string; keyId: string | null }[]>;
  context(id: string): string;
  /** Writes a newly sealed value, only while the row still has `expectedKeyId`; false if it changed. */
  write(db: Db, id: string, sealed: string, keyId: string, expectedKeyId: string | null): Promise<boolean>;
}

const secretsTable: SealedTable = {
  what: "secret",
  rows: async (db) =>
    (await db.secret.findMany({ select: { name: true, value: true, keyId: true } })).map((row) => ({
      id: row.name,
      text: row.value,
      keyId: row.keyId,
    })),
  context: sealContext.secret,
  write: async (db, id, sealed, keyId, expectedKeyId) =>
    (
      await db.secret.updateMany({
        where: { name: id, keyId: expectedKeyId },
        data: { value: sealed, keyId },
      })
    ).count === 1,
};

const connectionsTable: SealedTable = {
  what: "connection profile",
  rows: async (db) =>
    (await db.connectionProfile.findMany({ select: { name: true, secrets: true, keyId: true } })).map(
      (row) => ({
        id: row.name,
        // Sealed rows hold the sealed text as a JSON string; older rows the plain JSON object.
        text:
          row.keyId !== null && typeof row.secrets === "string" ? row.secrets : JSON.stringify(row.secrets),
        keyId: row.keyId,
      }),
    ),
  context: sealContext.connection,
  write: async (db, id, sealed, keyId, expectedKeyId) =>
    (
      await db.connectionProfile.updateMany({
        where: { name: id, keyId: expectedKeyId },
        data: { secrets: sealed, keyId },
      })
    ).count === 1,
};

/** Ingest tokens are sealed from the start (key_id is never null); ids are `<flowId>/<nodeId>`. */
const ingestTokensTable: SealedTable = {
  what: "ingest token",
  rows: async (db) =>
    (await db.ingestToken.findMany({ select: { flowId: true, nodeId: true, token: true, keyId: true } })).map(
      (row) => ({ id: `${row.flowId}/${row.nodeId}`, text: row.token, keyId: row.keyId }),
    ),
  context: (id) => {
    const slash = id.indexOf("/");
    return ingestContext(id.slice(0, slash), id.slice(slash + 1));
  },
  write: async (db, id, sealed, keyId, expectedKeyId) => {
    const slash = id.indexOf("/");
    const where = { flowId: id.slice(0, slash), nodeId: id.slice(slash + 1) };
    if (expectedKeyId === null) return false;
    return (
      (
        await db.ingestToken.updateMany({
          where: { ...where, keyId: expectedKeyId },
          data: { token: sealed, keyId },
        })
      ).count === 1
    );
  },
};

/** Every table with sealed values; the start-up check and rotation walk all of them. */
export const sealedTables: SealedTable[] = [secretsTable, connectionsTable, ingestTokensTable];

export interface SecretStoreStatus {
  /** Rows sealed at this start (they were plain text). */
  sealedNow: number;
  /** Rows left in plain text because no key was given. */
  plain: number;
}

/**
 * Run at every start of the engine, the web app and the compose `migrate` service. Refuses (throws)
 * when sealed rows exist and no key was given, or a row is sealed with another key; seals the rows
 * still in plain text when a key was given (idempotent: a sealed row is never touched again).
 */
export async function prepareSecretStore(db: Db): Promise<SecretStoreStatus> {
  const box = installationKeys(db).secretBox;
  const sealedByKey = new Map<string, number>();
  const plainRows: { table: SealedTable; id: string; text: string }[] = [];
  for (const table of sealedTables) {
    for (const row of await table.rows(db)) {
      if (row.keyId === null) plainRows.push({ table, id: row.id, text: row.text });
      else sealedByKey.set(row.keyId, (sealedByKey.get(row.keyId) ?? 0) + 1);
    }
  }
  const sealedCount = [...sealedByKey.values()].reduce((a, b) => a + b, 0);
  if (sealedCount > 0 && !box) {
    throw new Error(
      `${sealedCount} stored secret value(s) are encrypted, but WEIR_SECRET_KEY is not set: start with the ` +
        `key they were encrypted with (key id ${[...sealedByKey.keys()].join(", ")}); npm start keeps it in ` +
        `.weir/secret.key`,
    );
  }
  const foreign = [...sealedByKey.keys()].filter((keyId) => keyId !== box?.keyId);
  if (box && foreign.length > 0) {
    throw new Error(
      `stored secret values are encrypted with key ${foreign.join(", ")}, but WEIR_SECRET_KEY is key ` +
        `${box.keyId}: start with the key they were encrypted with, or re-encrypt them with ` +
        `npm run secrets:rotate -- --from <old key> --to <new key>`,
    );
  }
  if (!box) return { sealedNow: 0, plain: plainRows.length };
  let sealedNow = 0;
  for (const row of plainRows) {
    if (await row.table.write(db, row.id, box.seal(row.text, row.table.context(row.id)), box.keyId, null)) {
      sealedNow++;
    }
  }
  return { sealedNow, plain: 0 };
}

export interface RotationResult {
  /** Rows re-encrypted from the old key (or sealed from plain text) to the new one. */
  rotated: number;
  /** Rows already under the new key (a rotation run again after it was interrupted). */
  alreadyCurrent: number;
}

/**
 * Re-encrypts every sealed value from key `from` to key `to` (and seals plain-text rows), in one
 * transaction: all rows move or none. Safe to run again: rows already under `to` are left alone.
 * Fails, changing nothing, when a row is sealed with a key that is neither.
 */
export async function rotateSecretKey(db: Db, from: SecretBox, to: SecretBox): Promise<RotationResult> {
  return db.$transaction(
    async (tx) => {
      const client = tx as unknown as Db;
      let rotated = 0;
      let alreadyCurrent = 0;
      for (const table of sealedTables) {
        for (const row of await table.rows(client)) {
          if (row.keyId === to.keyId) {
            alreadyCurrent++;
            continue;
          }
          if (row.keyId !== null && row.keyId !== from.keyId) {
            throw new Error(
              `${table.what} ${row.id} is encrypted with key ${row.keyId}, which is neither --from (${from.keyId}) ` +
                `nor --to (${to.keyId}); nothing was changed`,
            );
          }
          const context = table.context(row.id);
          const plain = row.keyId === null ? row.text : from.open(row.text, context);
          if (!(await table.write(client, row.id, to.seal(plain, context), to.keyId, row.keyId))) {
            throw new Error(
              `${table.what} ${row.id} changed during the rotation; nothing was changed, run it again`,
            );
          }
          rotated++;
        }
      }
      return { rotated, alreadyCurrent };
    },
    { timeout: 120_000 },
  );
}
