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
import type { WeirRecord } from "@weir/domain";
import { fromByteJson, jsonTextOf, toByteJson } from "@weir/domain";

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

/**
 * `JSON.stringify(toStorableJson(value))`, the text a `jsonb[]` parameter takes, in one walk and
 * one stringify for the common value that needs neither the byte form nor the wrapper. The log
 * sink writes every record it keeps this way; toStorableJson's walks (one for bytes, one for
 * unstorable text, each copying every object's entries) cost more than the stringify itself.
 */
export function storableJsonText(value: unknown): string {
  const text = textRecordJson(value);
  if (text !== undefined) return text;
  if (isPlainStorable(value)) return JSON.stringify(value);
  return JSON.stringify(toStorableJson(value));
}

/**
 * Text in which a JSON value might hold what toStorableJson wraps or rewrites: an escaped NUL or
 * lone surrogate (JSON.stringify writes them `\u0000`, `\udXXX`, lowercase) or a raw one, a
 * "__proto__" or `$…bytes` key, a number of more than 15 characters. Strings that merely look so
 * match too (the slow path then decides).
 */
const MAYBE_UNSTORABLE_JSON = /\\u(?:0000|d[89a-f])|[\0\ud800-\udfff]|"__proto__"|"\$+bytes"|[-+.0-9eE]{16}/u;

/**
 * A record whose value is still the JSON text its function wrote (jsonTextRecord), written with
 * that text, not parsed and written again, when nothing in it needs the slow path; else undefined.
 */
function textRecordJson(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const record = value as WeirRecord;
  const json = jsonTextOf(record);
  if (json === undefined || MAYBE_UNSTORABLE_JSON.test(json)) return undefined;
  const { key, headers, timestamp } = record;
  if (!isPlainStorable({ key, headers, timestamp })) return undefined;
  return `{"key":${JSON.stringify(key)},"value":${json},"headers":${JSON.stringify(headers)},"timestamp":${JSON.stringify(timestamp)}}`;
}

const BYTES_KEY = /^\$+bytes$/;

/**
 * Whether toStorableJson would give `value` back as it is: not null, not wrapper-shaped, no
 * Uint8Array, no `$…bytes` key, no string or key jsonb refuses, no number it would round, no
 * "__proto__" key. May answer false for a value that is fine (the slow path then decides); never
 * true for one that is not. Iterative: depth is the sender's.
 */
function isPlainStorable(value: unknown): boolean {
  if (value === null || value === undefined || isWrapperShaped(value)) return false;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    switch (typeof current) {
      case "string":
        if (UNSTORABLE.test(current)) return false;
        break;
      case "number":
        // A safe integer below 10^15 has at most 15 digits; so has any number written in 15 characters.
        if (!(Number.isSafeInteger(current) && Math.abs(current) < 1e15) && String(current).length > 15)
          return false;
        break;
      case "object":
        if (current === null) break;
        if (Array.isArray(current)) {
          for (let i = 0; i < current.length; i++) stack.push(current[i]);
          break;
        }
        // A Uint8Array, a Date, a Map: anything but a plain JSON object takes the slow path.
        if (Object.getPrototypeOf(current) !== Object.prototype) return false;
        for (const key of Object.keys(current)) {
          if (key === "__proto__" || UNSTORABLE.test(key) || BYTES_KEY.test(key)) return false;
          stack.push((current as Record<string, unknown>)[key]);
        }
        break;
      // A boolean; undefined, a function, a symbol, a bigint: stringify treats them alike either way.
      case "boolean":
      case "undefined":
      case "function":
      case "symbol":
      case "bigint":
        break;
    }
  }
  return true;
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
