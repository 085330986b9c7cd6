// How a record travels on an edge topic: key as the Kafka key (so a key keeps its partition and
// its order), value as JSON or raw bytes (values/value-codec.ts), headers as headers, the
// record's timestamp in a header of its own (TIMESTAMP_HEADER; see EDGE_TOPIC_CONFIGS for why not
// as the message's timestamp). A value above the chunk limit goes as several ordered
// chunk messages with the same key (values/chunk-codec.ts); the reader puts them back together
// (values/value-reassembler.ts) before decoding.
import { randomBytes } from "node:crypto";
import type { IHeaders, Message } from "kafkajs";
import type { WeirRecord } from "@weir/domain";
import { jsonTextOf } from "@weir/domain";
import type { EdgeMessageFrame } from "../values/chunk-codec";
import { splitMessage } from "../values/chunk-codec";
import { decodeValue, encodeValue } from "../values/value-codec";

/** Value bytes per message unless WEIR_KAFKA_CHUNK_BYTES says otherwise: half the broker's default message.max.bytes. */
export const DEFAULT_CHUNK_BYTES = 512 * 1024;

/** The record's own timestamp (milliseconds), on every message of an edge topic. */
export const TIMESTAMP_HEADER = "weir-timestamp";

/**
 * The configs every edge topic is created with. A broker deletes a message once its timestamp is
 * older than the topic's retention (7 days by default), at its next retention check (every 5
 * minutes by default). Were the message's timestamp the record's (CreateTime), a record whose time
 * is older than that (a backfill, a replay of last month's topic through a Kafka source) would be
 * deleted before the next node read it: lost without a trace. With LogAppendTime the broker
 * stamps each message with the time it was written, so retention counts from then, and the
 * record's timestamp travels in TIMESTAMP_HEADER.
 */
export const EDGE_TOPIC_CONFIGS: Readonly<Record<string, string>> = {
  "message.timestamp.type": "LogAppendTime",
};

/** One message, or the value's ordered chunks of at most `chunkBytes` value bytes each. */
export function encodeRecord(record: WeirRecord, chunkBytes = DEFAULT_CHUNK_BYTES): Message[] {
  // A value still in the JSON text its function wrote is sent as that text, not parsed and written again.
  const json = jsonTextOf(record);
  const { value, headers } = json === undefined ? encodeValue(record.value) : { value: json, headers: {} };
  const timestamp = String(record.timestamp);
  const all = { ...record.headers, ...headers, [TIMESTAMP_HEADER]: timestamp };
  const size = typeof value === "string" ? Buffer.byteLength(value, "utf8") : value.byteLength;
  if (size <= chunkBytes) return [{ key: record.key, value, headers: all, timestamp }];
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  return splitMessage({ key: record.key, value: bytes, headers: all, timestamp }, chunkBytes, newChunkId).map(
    (chunk) => ({
      key: chunk.key,
      value: chunk.value === null ? null : toBuffer(chunk.value),
      headers: chunk.headers,
      timestamp: chunk.timestamp,
    }),
  );
}

function newChunkId(): string {
  return randomBytes(8).toString("hex");
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export interface EdgeMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  timestamp: string;
}

/** A message's headers as text (the last value of a repeated header). */
export function headersOf(message: EdgeMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(message.headers ?? {})) {
    const value = Array.isArray(raw) ? raw.at(-1) : raw;
    if (value !== undefined) headers[name] = value.toString();
  }
  return headers;
}

/** A message as the reassembler takes it (value bytes as they are, no copy). */
export function frameOf(message: EdgeMessage): EdgeMessageFrame {
  return {
    key: message.key === null ? null : message.key.toString("utf8"),
    value: message.value,
    headers: headersOf(message),
    timestamp: message.timestamp,
  };
}

/** Throws when the message is not one this transport wrote (someone else produced to the topic). */
export function decodeRecord(message: EdgeMessage): WeirRecord {
  return decodeFrame(frameOf(message));
}

/** A whole message (never split, or put back together) as its record. */
export function decodeFrame(frame: EdgeMessageFrame): WeirRecord {
  const headers = { ...frame.headers };
  const timestamp = takeTimestamp(frame, headers);
  return {
    key: frame.key,
    value: decodeValue(frame.value === null ? null : toBuffer(frame.value), headers),
    headers,
    timestamp,
  };
}

/**
 * The record's timestamp, taken out of `headers` (a copy of the frame's): its header, or the
 * message's timestamp for a message written without one (before edge topics had the header).
 */
export function takeTimestamp(frame: EdgeMessageFrame, headers: Record<string, string>): number {
  const own = headers[TIMESTAMP_HEADER];
  Reflect.deleteProperty(headers, TIMESTAMP_HEADER);
  return Math.max(0, Number(own ?? frame.timestamp) || 0);
}
