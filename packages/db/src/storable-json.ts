// How values that Postgres cannot hold as given are stored anyway, and read back exactly.
//
// `jsonb` refuses a NUL character (\u0000) and a lone UTF-16 surrogate (\ud800) anywhere in a
// string or key (SQLSTATE 22P05), yet both are valid in JSON as JavaScript parses it. `text`
// refuses NUL (22021) and turns a lone surrogate into U+FFFD. So a value with either is stored
// as a wrapper object `{ "$weir:json": "<JSON.stringify text>" }`: JSON.stringify writes NUL and
// lone surrogates as ASCII `\uXXXX` escapes, so the wrapper is always storable, and JSON.parse
// gives the value back exactly. The same holds for a number that needs more than 15 significant
// digits, which the client would round on its way in, and for an object with a "__proto__" key,
// which the client drops on the way out. A value that itself looks like the wrapper (an object whose only
// key is the marker) is wrapped too, so decoding is never ambiguous; so is a top-level `null`,
// which Prisma would otherwise take for "no value".
//
// Bytes (a record whose value is a Uint8Array) are written first in the one JSON form of bytes,
// `{ "$bytes": "<base64>", "length": n }` (`toByteJson` in @weir/domain, which also escapes a JSON
// object's own `$bytes` key), so a stored byte record is its bytes, not an object of indices,
// and reads back as the same Uint8Array.
import { fromByteJson, toByteJson } from "@weir/domain";

/** The one key of a wrapper object. */
export const STORABLE_JSON_MARK = "$weir:json";

/** What a JSON column receives: the value itself or its wrapper; never a bare null. */
export type StorableJson = string | number | boolean | StorableJsonObject | StorableJsonArray;
export interface StorableJsonObject {
  [key: string]: StorableJson | null;
}
export type StorableJsonArray = (StorableJson | null)[];

// A NUL or a lone surrogate: with the `u` flag a well-formed pair is one code point and never matches.
const UNSTORABLE = /[\0\ud800-\udfff]/u;
const UNSTORABLE_ALL = /[\0\ud800-\udfff]/gu;

/** Whether Postgres (jsonb or text) would refuse or alter this string. */
export function isUnstorableText(text: string): boolean {
  return UNSTORABLE.test(text);
}

function isWrapperShaped(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  return Object.prototype.hasOwnProperty.call(value, STORABLE_JSON_MARK);
}

/**
 * Whether a number might lose digits on its way into jsonb: the client rounds JSON numbers to
 * fewer digits than a double may need (0.30000000000000004 is stored as 0.3, seen with Prisma 7
 * and adapter-pg), so one whose shortest form has more than 15 significant digits (what any
 * rounding to a double's precision keeps) is stored wrapped, where it is text.
 */
export function isInexactNumber(value: number): boolean {
  if (!Number.isFinite(value)) return false; // JSON has no such number: it is written as null either way
  const mantissa = String(Math.abs(value)).replace(/e.*$/, "").replace(".", "").replace(/^0+/, "");
  return mantissa.replace(/0+$/, "").length > 15;
}

/** Whether a JSON value has a string or key that jsonb refuses, or a number it would round. Iterative: depth is the sender's. */
function hasUnstorableText(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (typeof current === "string") {
      if (isUnstorableText(current)) return true;
    } else if (typeof current === "number") {
      if (isInexactNumber(current)) return true;
    } else if (Array.isArray(current)) {
      for (const item of current) stack.push(item);
    } else if (current !== null && typeof current === "object") {
      for (const [key, item] of Object.entries(current)) {
        // Prisma reads a "__proto__" key back as the prototype, not as data: keep it as text.
        if (key === "__proto__" || isUnstorableText(key)) return true;
        stack.push(item);
      }
    }
  }
  return false;
}

function wrap(value: unknown): StorableJsonObject {
  return { [STORABLE_JSON_MARK]: value === undefined ? "null" : JSON.stringify(value) };
}

/**
 * The form of a JSON value to write to a `jsonb` column: the value itself when Postgres stores
 * it faithfully, else its wrapper. `force` always wraps (a last resort after a write failed).
 */
export function toStorableJson(value: unknown, options: { force?: boolean } = {}): StorableJson {
  const encoded = toByteJson(value);
  if (options.force === true || encoded === null || encoded === undefined || isWrapperShaped(encoded))
    return wrap(encoded);
  if (hasUnstorableText(encoded)) return wrap(encoded);
  return encoded as StorableJson;
}

/** Whether a stored value is a wrapper written by toStorableJson. */
export function isStorableWrapper(stored: unknown): stored is Record<typeof STORABLE_JSON_MARK, string> {
  if (!isWrapperShaped(stored)) return false;
  const keys = Object.keys(stored as object);
  return keys.length === 1 && typeof (stored as Record<string, unknown>)[STORABLE_JSON_MARK] === "string";
}

/** The value toStorableJson was given, from what a `jsonb` column holds: bytes as Uint8Array. */
export function fromStorableJson(stored: unknown): unknown {
  return fromByteJson(storedJsonView(stored));
}

/**
 * What a `jsonb` column holds as plain JSON for an API answer: the wrapper undone, bytes left in
 * their JSON form (`{ "$bytes", "length" }`, a JSON key `$bytes` as `$$bytes`; see @weir/domain).
 */
export function storedJsonView(stored: unknown): unknown {
  if (!isStorableWrapper(stored)) return stored;
  return JSON.parse(stored[STORABLE_JSON_MARK]);
}

/**
 * Human text (log lines, error messages) made storable in a `text` column: a NUL or a lone
 * surrogate is written visibly as `\u0000` / `\ud800`. Lossy only for those characters.
 */
export function storableText(text: string): string {
  if (!isUnstorableText(text)) return text;
  return text.replace(UNSTORABLE_ALL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
