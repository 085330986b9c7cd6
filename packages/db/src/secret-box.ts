// Encryption at rest for secret values (function secrets, connection-profile passwords, ingest
// tokens): AES-256-GCM from node:crypto with one installation key, WEIR_SECRET_KEY.
//
// A sealed value is one line of text that says how it was made:
//
//   wsb1.<key id>.<iv, base64url>.<ciphertext + 16-byte tag, base64url>
//
// `wsb1` is the format version; the key id is a fingerprint of the key (HMAC-SHA256 of a fixed
// label, 16 hex digits), so a reader tells "sealed with another key" from "tampered with", and the
// rotation command tells old rows from new ones. The row it belongs to (e.g. `secret:API_KEY`) is
// authenticated as associated data: a ciphertext copied onto another row does not open.
import { Buffer } from "node:buffer";
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";

const FORMAT = "wsb1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** What every failure to parse a key, seal or open a value throws; never carries key or value. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretBoxError";
  }
}

/**
 * Reads a WEIR_SECRET_KEY: 32 random bytes written as 64 hex digits or as base64 (44 characters,
 * standard or URL alphabet, padding optional). `name` says which setting is wrong in the message.
 */
export function parseSecretKey(text: string, name = "WEIR_SECRET_KEY"): Buffer {
  const trimmed = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, "hex");
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) key = Buffer.from(trimmed, "base64");
  if (key?.length !== KEY_BYTES) {
    throw new SecretBoxError(
      `${name} must be 32 random bytes as 64 hex digits or 44 base64 characters ` +
        `(got ${trimmed.length} characters); make one with: openssl rand -base64 32`,
    );
  }
  return key;
}

/** A new random key in the form WEIR_SECRET_KEY takes (base64). */
export function generateSecretKey(): string {
  return randomBytes(KEY_BYTES).toString("base64");
}

/** The fingerprint a sealed value names its key by; reveals nothing about the key. */
export function secretKeyId(key: Buffer): string {
  return createHmac("sha256", key).update("weir secret key id").digest("hex").slice(0, 16);
}

/** The key id a sealed value names, or undefined when the text is not a sealed value. */
export function sealedKeyId(sealed: string): string | undefined {
  const parts = sealed.split(".");
  return parts.length === 4 && parts[0] === FORMAT ? parts[1] : undefined;
}

/** Seals and opens values with one key. */
export class SecretBox {
  readonly keyId: string;
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new SecretBoxError(`a secret key is ${KEY_BYTES} bytes`);
    this.key = Buffer.from(key);
    this.keyId = secretKeyId(this.key);
  }

  /** A box for a key as WEIR_SECRET_KEY writes it (see parseSecretKey). */
  static fromText(text: string, name?: string): SecretBox {
    return new SecretBox(parseSecretKey(text, name));
  }

  /** Encrypts `plaintext` for the row named `context` (e.g. `secret:API_KEY`). */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(this.aad(this.keyId, context));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return [FORMAT, this.keyId, iv.toString("base64url"), body.toString("base64url")].join(".");
  }

  /** Decrypts a value sealed for `context`; throws SecretBoxError on any other key, row or change. */
  open(sealed: string, context: string): string {
    const parts = sealed.split(".");
    const [format, keyId, ivText, bodyText] = parts;
    if (parts.length !== 4 || format !== FORMAT || !keyId || !ivText || !bodyText) {
      throw new SecretBoxError(`the stored value of ${context} is not a sealed value (${FORMAT} format)`);
    }
    if (keyId !== this.keyId) {
      throw new SecretBoxError(
        `${context} was encrypted with key ${keyId}, but WEIR_SECRET_KEY is key ${this.keyId}: ` +
          `start with the key it was encrypted with, or re-encrypt with npm run secrets:rotate`,
      );
    }
    const iv = Buffer.from(ivText, "base64url");
    const body = Buffer.from(bodyText, "base64url");
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) {
      throw new SecretBoxError(`the stored value of ${context} is truncated`);
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(this.aad(keyId, context));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(body.subarray(0, body.length - TAG_BYTES)),
        decipher.final(),
      ]).toString("utf8");
    } catch {
      throw new SecretBoxError(
        `the stored value of ${context} failed authentication: it was changed, or belongs to another row`,
      );
    }
  }

  private aad(keyId: string, context: string): Buffer {
    return Buffer.from(`${FORMAT}.${keyId}.${context}`, "utf8");
  }
}
