// Reads the Test panel's sample: a JSON array of records (`{ "value": … }` with optional key,
// headers, timestamp) or of plain values, which become record values. Errors say where.
import type { JsonValue } from "@weir/domain";

export interface SampleRecord {
  value: JsonValue;
  key?: string | null;
  headers?: Record<string, string>;
  timestamp?: number;
}

export type SampleResult = { ok: true; records: SampleRecord[] } | { ok: false; error: string };

const RECORD_KEYS = new Set(["value", "key", "headers", "timestamp"]);

function isRecordShaped(item: JsonValue): item is { [key: string]: JsonValue } {
  if (typeof item !== "object" || item === null || Array.isArray(item) || !("value" in item)) return false;
  return Object.keys(item).every((k) => RECORD_KEYS.has(k));
}

export function parseSample(text: string): SampleResult {
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(text) as JsonValue;
  } catch (error) {
    return { ok: false, error: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  if (items.length === 0) return { ok: false, error: "give at least one record" };
  if (items.length > 1000) return { ok: false, error: `at most 1000 records (got ${items.length})` };
  const records: SampleRecord[] = [];
  for (const [index, item] of items.entries()) {
    if (!isRecordShaped(item)) {
      records.push({ value: item });
      continue;
    }
    const record: SampleRecord = { value: item.value ?? null };
    const { key, headers, timestamp } = item;
    if (key !== undefined) {
      if (key !== null && typeof key !== "string")
        return { ok: false, error: `[${index}].key must be a string or null` };
      record.key = key;
    }
    if (headers !== undefined) {
      if (
        typeof headers !== "object" ||
        headers === null ||
        Array.isArray(headers) ||
        Object.values(headers).some((v) => typeof v !== "string")
      )
        return { ok: false, error: `[${index}].headers must be an object of strings` };
      record.headers = headers as Record<string, string>;
    }
    if (timestamp !== undefined) {
      if (typeof timestamp !== "number" || !Number.isInteger(timestamp) || timestamp < 0)
        return { ok: false, error: `[${index}].timestamp must be milliseconds since 1970` };
      record.timestamp = timestamp;
    }
    records.push(record);
  }
  return { ok: true, records };
}
