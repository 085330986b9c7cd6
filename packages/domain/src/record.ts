import { z } from "zod";
import { jsonValueSchema } from "./json";

/**
 * A record as it moves between nodes. The value is JSON, the common case, or bytes (a
 * `Uint8Array`: a chunk of an upload, a block of a file), carried as they are inside an engine
 * and as raw bytes on Kafka (see `BYTES_HEADER`); JSON input (an API body, a flow test) is
 * always JSON, so the schema accepts bytes only where they are already bytes.
 */
export const weirRecordSchema = z.object({
  key: z.string().nullable().default(null),
  value: z.union([jsonValueSchema, z.custom<Uint8Array>((value) => value instanceof Uint8Array, "bytes")]),
  headers: z.record(z.string(), z.string()).default({}),
  /** Milliseconds since the Unix epoch. */
  timestamp: z.number().int().nonnegative(),
});

export type WeirRecord = z.infer<typeof weirRecordSchema>;

/** A record's value: JSON or bytes. */
export type RecordValue = WeirRecord["value"];

/** Whether a value is bytes rather than JSON. */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

/** A record addressed to one output port of the node that produced it. */
export interface PortRecord {
  port: string;
  record: WeirRecord;
}

export const DEFAULT_PORT = "out";
