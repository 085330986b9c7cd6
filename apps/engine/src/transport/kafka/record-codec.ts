// How a record travels on an edge topic: key as the Kafka key (so a key keeps its partition and
// its order), value as JSON or raw bytes (values/value-codec.ts), headers as headers, the
// record's timestamp as the message's.
import type { IHeaders, Message } from "kafkajs";
import type { WeirRecord } from "@weir/domain";
import { decodeValue, encodeValue } from "../values/value-codec";

export function encodeRecord(record: WeirRecord): Message {
  const { value, headers } = encodeValue(record.value);
  return {
    key: record.key,
    value,
    headers: { ...record.headers, ...headers },
    timestamp: String(record.timestamp),
  };
}

export interface EdgeMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  timestamp: string;
}

/** Throws when the message is not one this transport wrote (someone else produced to the topic). */
export function decodeRecord(message: EdgeMessage): WeirRecord {
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(message.headers ?? {})) {
    const value = Array.isArray(raw) ? raw.at(-1) : raw;
    if (value !== undefined) headers[name] = value.toString();
  }
  return {
    key: message.key === null ? null : message.key.toString("utf8"),
    value: decodeValue(message.value, headers),
    headers,
    timestamp: Math.max(0, Number(message.timestamp) || 0),
  };
}
