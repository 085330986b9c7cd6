import { z } from "zod";
import { jsonValueSchema } from "./json";

/**
 * A record as it moves between nodes. The value is JSON, the common case; binary payloads
 * travel base64-encoded in a string with the header `content-encoding: base64`.
 */
export const weirRecordSchema = z.object({
  key: z.string().nullable().default(null),
  value: jsonValueSchema,
  headers: z.record(z.string(), z.string()).default({}),
  /** Milliseconds since the Unix epoch. */
  timestamp: z.number().int().nonnegative(),
});

export type WeirRecord = z.infer<typeof weirRecordSchema>;

/** A record addressed to one output port of the node that produced it. */
export interface PortRecord {
  port: string;
  record: WeirRecord;
}

export const DEFAULT_PORT = "out";
