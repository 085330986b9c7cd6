import type { WeirRecord } from "@weir/domain";
import { jsonTextOf } from "@weir/domain";

/**
 * The bytes a record's byte value holds (0 for any other value): what bounds the memory of a
 * stream of large chunks, where a count of records does not. A value still in JSON text is not
 * bytes, and reading it would parse it.
 */
export function byteValueSize(record: WeirRecord): number {
  return jsonTextOf(record) === undefined && record.value instanceof Uint8Array ? record.value.byteLength : 0;
}
