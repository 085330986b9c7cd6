// A record's value as the bytes of a message on an edge topic: JSON as its UTF-8 text, bytes as
// they are (no base64), told apart by a header. Pure, so any Kafka client's encode/decode can
// call it (transport/kafka/record-codec.ts does).
import type { RecordValue } from "@weir/domain";
import { errorMessage } from "@weir/domain";

/** Set to "bytes" on a message whose value is a record's raw bytes; absent for JSON. */
export const VALUE_KIND_HEADER = "weir-value";
const BYTES = "bytes";

export interface EncodedValue {
  value: Buffer | string;
  /** Headers to add to the message (the kind marker for bytes). */
  headers: Record<string, string>;
}

export function encodeValue(value: RecordValue): EncodedValue {
  if (value instanceof Uint8Array) {
    // A view of the same memory: the producer copies it into its request.
    return {
      value: Buffer.from(value.buffer, value.byteOffset, value.byteLength),
      headers: { [VALUE_KIND_HEADER]: BYTES },
    };
  }
  return { value: JSON.stringify(value), headers: {} };
}

/**
 * The record value of a message, given its headers (from which the kind marker is removed, so
 * the record's headers are what its producer gave). Throws on a JSON value that does not parse.
 */
export function decodeValue(raw: Buffer | null, headers: Record<string, string>): RecordValue {
  const kind = headers[VALUE_KIND_HEADER];
  if (kind !== undefined) {
    Reflect.deleteProperty(headers, VALUE_KIND_HEADER);
    if (kind !== BYTES) throw new Error(`not a Weir record (unknown ${VALUE_KIND_HEADER} '${kind}')`);
    return raw === null ? new Uint8Array(0) : new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  }
  if (raw === null) return null;
  try {
    return JSON.parse(raw.toString("utf8")) as RecordValue;
  } catch (error) {
    throw new Error(`not a Weir record (bad JSON value: ${errorMessage(error)})`);
  }
}
