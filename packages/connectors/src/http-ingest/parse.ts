import type { JsonValue, WeirRecord } from "@weir/domain";
import { jsonValueSchema } from "@weir/domain";

/**
 * Turns an ingest request body into records. A body that is an array is many records; any
 * other JSON value is one. An element shaped `{ "value": …, "key"?: …, "headers"?: … }`
 * whose only fields are those sets them explicitly; anything else is taken as the value.
 * The schema only checks the parsed body: records keep the parsed values themselves, because
 * zod's parsed copy is rebuilt by assignment and loses "__proto__" keys that JSON.parse kept.
 */
export function recordsFromBody(body: unknown, now: number): WeirRecord[] {
  const items = Array.isArray(body) ? body : [body];
  return items.map((item, index) => {
    if (!jsonValueSchema.safeParse(item).success) throw new Error(`element ${index} is not JSON`);
    if (isEnvelope(item)) {
      return {
        key: item.key ?? null,
        value: item.value as JsonValue,
        headers: item.headers ?? {},
        timestamp: now,
      };
    }
    return { key: null, value: item as JsonValue, headers: {}, timestamp: now };
  });
}

interface Envelope {
  value: unknown;
  key?: string | null;
  headers?: Record<string, string>;
}

function isEnvelope(item: unknown): item is Envelope {
  if (item === null || typeof item !== "object" || Array.isArray(item) || !("value" in item)) return false;
  const allowed = new Set(["value", "key", "headers"]);
  if (!Object.keys(item).every((k) => allowed.has(k))) return false;
  const { key, headers } = item as { key?: unknown; headers?: unknown };
  const keyOk = key === undefined || key === null || typeof key === "string";
  const headersOk =
    headers === undefined ||
    (typeof headers === "object" &&
      headers !== null &&
      Object.values(headers).every((v) => typeof v === "string"));
  return keyOk && headersOk;
}
