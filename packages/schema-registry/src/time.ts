// Avro timestamps and dates as ISO 8601 text (UTC), which JSON and people read alike.
import { SchemaMismatchError } from "./json";

const DAY_MS = 86_400_000;
const ISO = /^(\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Avro `long` values arrive as a number or, beyond 2^53, a decimal string. */
export type LongValue = number | string;

const PAD2 = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, "0"));
const PAD3 = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, "0"));
/** Years 0001-9999: the range the fast paths below handle; outside it Date does the work. */
const MIN_MS = -62135596800000;
const MAX_MS = 253402300799999;

/** Epoch milliseconds → "YYYY-MM-DDTHH:MM:SS.sssZ", as Date#toISOString, without a Date per value. */
function isoMillis(ms: number): string {
  if (!(ms >= MIN_MS && ms <= MAX_MS)) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  // Howard Hinnant's civil_from_days.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const milli = rest - second * 1000;
  return `${PAD2[Math.floor(year / 100)] ?? ""}${PAD2[year % 100] ?? ""}-${PAD2[month] ?? ""}-${PAD2[day] ?? ""}T${PAD2[hour] ?? ""}:${PAD2[minute] ?? ""}:${PAD2[second] ?? ""}.${PAD3[milli] ?? ""}Z`;
}

function digitsAt(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    n = n * 10 + c;
  }
  return n;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** "YYYY-MM-DDTHH:MM:SS.sssZ" exactly → epoch milliseconds, or NaN for any other text. */
function parseIsoMillis(text: string): number {
  if (text.length !== 24 || text.charCodeAt(23) !== 90 /* Z */) return Number.NaN;
  if (
    text[4] !== "-" ||
    text[7] !== "-" ||
    text[10] !== "T" ||
    text[13] !== ":" ||
    text[16] !== ":" ||
    text[19] !== "."
  )
    return Number.NaN;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  const milli = digitsAt(text, 20, 3);
  if (!(month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && second <= 59))
    return Number.NaN;
  if (!(year >= 1 && day <= daysInMonth(year, month))) return Number.NaN;
  // Howard Hinnant's days_from_civil.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return days * DAY_MS + hour * 3_600_000 + minute * 60_000 + second * 1000 + milli;
}

export function timestampToIso(value: LongValue, unitsPerMs: 1 | 1000): string {
  if (unitsPerMs === 1 && typeof value === "number") return isoMillis(value);
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
  if (unitsPerMs === 1 && typeof value === "string") {
    const fast = parseIsoMillis(value);
    if (!Number.isNaN(fast)) return fast;
  }
  const match = typeof value === "string" ? ISO.exec(value) : null;
  const seconds = match ? Date.parse(`${match[1] ?? ""}${match[3] ?? ""}`) : Number.NaN;
  if (!match || Number.isNaN(seconds) || !realDate(match[1] ?? ""))
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

/** Date.parse rolls "2023-02-29" over to March; a real calendar day survives a round trip. */
function realDate(text: string): boolean {
  const day = text.slice(0, 10);
  const ms = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(ms) && isoMillis(ms).startsWith(day);
}

export function dateToIso(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

export function dateFromJson(value: unknown, path: string): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  const ms =
    typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) && realDate(value)
      ? Date.parse(`${value}T00:00:00Z`)
      : Number.NaN;
  if (Number.isNaN(ms))
    throw new SchemaMismatchError(path, `expected a date like "2024-05-01", got ${JSON.stringify(value)}`);
  return ms / DAY_MS;
}
