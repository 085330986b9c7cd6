import type { PortRecord, WeirRecord } from "@weir/domain";
import { weirRecordSchema } from "@weir/domain";

/**
 * Turns what a handler returned into records for its default port. A returned record may
 * omit key, headers and timestamp; they are taken from the input record.
 */
export function normaliseReturn(returned: unknown, input: WeirRecord, port: string): PortRecord[] {
  if (returned === undefined || returned === null) return [];
  const items = Array.isArray(returned) ? (returned as unknown[]) : [returned];
  return items.map((item, index) => ({
    port,
    record: toRecord(item, input, `returned value${Array.isArray(returned) ? `[${index}]` : ""}`),
  }));
}

export function toRecord(item: unknown, input: WeirRecord, what: string): WeirRecord {
  if (item === null || typeof item !== "object" || !("value" in item)) {
    throw new TypeError(`${what} is not a record: expected an object with a 'value' field`);
  }
  const candidate = item as Partial<WeirRecord>;
  const parsed = weirRecordSchema.safeParse({
    key: candidate.key === undefined ? input.key : candidate.key,
    value: candidate.value,
    headers: candidate.headers ?? input.headers,
    timestamp: candidate.timestamp ?? input.timestamp,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(
      `${what} is not a valid record: ${issue ? `${issue.path.join(".") || "record"}: ${issue.message}` : "invalid"}`,
    );
  }
  return parsed.data;
}
