// How a record travels on an edge topic: key as the Kafka key (so a key keeps its partition and
// its order), value as JSON, headers as headers, the record's timestamp as the message's.
import type { IHeaders, Message } from "kafkajs";
import type { JsonValue, WeirRecord } from "@weir/domain";
import { errorMessage } from "@weir/domain";

export function encodeRecord(record: WeirRecord): Message {
  return {
    key: record.key,
    value: JSON.stringify(record.value),
    headers: record.headers,
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
  let value: JsonValue = null;
  if (message.value !== null) {
    try {
      value = JSON.parse(message.value.toString("utf8")) as JsonValue;
    } catch (error) {
      throw new Error(`not a Weir record (bad JSON value: ${errorMessage(error)})`);
    }
  }
  return {
    key: message.key === null ? null : message.key.toString("utf8"),
    value,
    headers,
    timestamp: Math.max(0, Number(message.timestamp) || 0),
  };
}
