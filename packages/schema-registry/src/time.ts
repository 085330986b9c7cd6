// Avro timestamps and dates as ISO 8601 text (UTC), which JSON and people read alike.
import { SchemaMismatchError } from "./json";

const DAY_MS = 86_400_000;
const ISO = /^(\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Avro `long` values arrive as a number or, beyond 2^53, a decimal string. */
export type LongValue = number | string;

export function timestampToIso(value: LongValue, unitsPerMs: 1 | 1000): string {
  if (unitsPerMs === 1 && typeof value === "number") return new Date(value).toISOString();
  const units = BigInt(value);
  const per = BigInt(unitsPerMs);
  let ms = units / per;
  let rest = units % per;
  if (rest < 0n) {
    ms -= 1n;
    rest += per;
  }
  const iso = new Date(Number(ms)).toISOString();
  if (unitsPerMs === 1) return iso;
  return `${iso.slice(0, -1)}${rest.toString().padStart(3, "0")}Z`;
}

export function timestampFromJson(value: unknown, unitsPerMs: 1 | 1000, path: string): LongValue {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  const match = typeof value === "string" ? ISO.exec(value) : null;
  const seconds = match ? Date.parse(`${match[1] ?? ""}${match[3] ?? ""}`) : Number.NaN;
  if (!match || Number.isNaN(seconds))
    throw new SchemaMismatchError(
      path,
      `expected an ISO 8601 timestamp like "2024-05-01T12:00:00.000Z", got ${JSON.stringify(value)}`,
    );
  const fraction = (match[2] ?? "").padEnd(9, "0");
  if (unitsPerMs === 1) return seconds + Number(fraction.slice(0, 3));
  const sub = BigInt(fraction.slice(0, 6));
  const units = BigInt(seconds) * BigInt(unitsPerMs) + sub;
  return Number.isSafeInteger(Number(units)) ? Number(units) : units.toString();
}

export function dateToIso(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

export function dateFromJson(value: unknown, path: string): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  const ms =
    typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)
      ? Date.parse(`${value}T00:00:00Z`)
      : Number.NaN;
  if (Number.isNaN(ms))
    throw new SchemaMismatchError(path, `expected a date like "2024-05-01", got ${JSON.stringify(value)}`);
  return ms / DAY_MS;
}
