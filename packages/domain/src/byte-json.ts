import { isBytes } from "./record";

// Byte values written as JSON, in one faithful form everywhere JSON has to carry them (Postgres
// `jsonb`, the API's answers, edge peek): `{ "$bytes": "<base64>", "length": n }`. JSON has no
// bytes, and `JSON.stringify` writes a Uint8Array as an object of indices (`{"0":104,"1":105}`),
// which reads back as neither the bytes nor their size. So that a JSON value can never pass for
// bytes, an object key made of one or more `$` and then `bytes` gets one more `$` in front
// (`$bytes` is written `$$bytes`, `$$bytes` `$$$bytes`), and reading takes it off again.

/** The key that marks a byte value written as JSON. */
export const BYTES_MARK = "$bytes";

/** Bytes as JSON: base64 text and the number of bytes. */
export interface BytesJson {
  $bytes: string;
  length: number;
}

const ESCAPED_KEY = /^\$+bytes$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Whether a JSON value is bytes written by `toByteJson` (exactly the two keys, well formed). */
export function isBytesJson(value: unknown): value is BytesJson {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 2 || !keys.includes(BYTES_MARK) || !keys.includes("length")) return false;
  const { $bytes, length } = value as Record<string, unknown>;
  return (
    typeof $bytes === "string" &&
    $bytes.length % 4 === 0 &&
    BASE64.test($bytes) &&
    typeof length === "number" &&
    Number.isSafeInteger(length) &&
    length >= 0
  );
}

/** Base64 of the bytes (btoa works on "binary strings": one char per byte, built in slices). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  const SLICE = 0x8000;
  for (let i = 0; i < bytes.length; i += SLICE)
    binary += String.fromCharCode(...bytes.subarray(i, Math.min(i + SLICE, bytes.length)));
  return btoa(binary);
}

/** The bytes of base64 text. */
export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Bytes as JSON; `previewBytes` keeps only the first so many (`length` stays the whole size). */
export function bytesJson(bytes: Uint8Array, previewBytes = Infinity): BytesJson {
  const kept = bytes.length > previewBytes ? bytes.subarray(0, previewBytes) : bytes;
  return { $bytes: bytesToBase64(kept), length: bytes.length };
}

/** Whether `toByteJson` would change anything: a Uint8Array or a `$…bytes` key. Iterative: depth is the sender's. */
function needsByteJson(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === null || typeof current !== "object") continue;
    if (isBytes(current)) return true;
    if (Array.isArray(current)) {
      for (const item of current) stack.push(item);
      continue;
    }
    for (const [key, item] of Object.entries(current)) {
      if (ESCAPED_KEY.test(key)) return true;
      stack.push(item);
    }
  }
  return false;
}

/**
 * A value (a record, a record's value) with every Uint8Array written as `BytesJson` and every
 * `$…bytes` key escaped, ready for JSON. The value itself when there is nothing to change.
 */
export function toByteJson(value: unknown): unknown {
  if (isBytes(value)) return bytesJson(value);
  if (!needsByteJson(value)) return value;
  return convert(
    value,
    (node) => (isBytes(node) ? bytesJson(node) : undefined),
    (key) => `$${key}`,
  );
}

/** The value `toByteJson` was given, from its JSON form: bytes as Uint8Array again, keys as they were. */
export function fromByteJson(value: unknown): unknown {
  if (isBytesJson(value)) return base64ToBytes(value.$bytes);
  if (!needsByteJson(value)) return value;
  return convert(
    value,
    (node) => (isBytesJson(node) ? base64ToBytes(node.$bytes) : undefined),
    // Only escaped keys lose a `$`: a lone `$bytes` outside BytesJson was never written by toByteJson.
    (key) => (key.startsWith("$$") ? key.slice(1) : key),
  );
}

/** A copy with `leaf` applied where it answers and `$…bytes` keys renamed by `rename`. */
function convert(value: unknown, leaf: (node: object) => unknown, rename: (key: string) => string): unknown {
  if (value === null || typeof value !== "object") return value;
  const replaced = leaf(value);
  if (replaced !== undefined) return replaced;
  if (Array.isArray(value)) return value.map((item: unknown) => convert(item, leaf, rename));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const name = ESCAPED_KEY.test(key) ? rename(key) : key;
    // defineProperty: a "__proto__" key stays data, as JSON.parse makes it.
    Object.defineProperty(out, name, {
      value: convert(item, leaf, rename),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
