// Turns a Weir record into a Kafka message.
import type { Message } from "kafkajs";
import type { JsonValue, WeirRecord } from "@weir/domain";
import { jsonTextOf } from "@weir/domain";
import type { KafkaKeyConfig, KafkaSinkConfig } from "./definition";

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Kafka carries keys, header values and utf8 values as UTF-8 bytes, and a lone UTF-16 surrogate
 * has no UTF-8 form (Buffer.from would write U+FFFD instead): such a record is refused, so the
 * sink dead-letters it with this reason rather than alter it. A JSON value escapes it (`\ud800`).
 */
function utf8Text<T extends string | null>(text: T, where: string): T {
  if (text !== null && LONE_SURROGATE.test(text))
    throw new Error(`${where} contains a lone UTF-16 surrogate, which has no UTF-8 form for Kafka`);
  return text;
}

/**
 * Throws when a key, a header or a utf8 value holds text that has no UTF-8 form, or when
 * `encodeValue` (valueFormat "registry") refuses the value.
 */
export function encodeRecord(
  record: WeirRecord,
  config: Pick<KafkaSinkConfig, "key" | "valueFormat">,
  encodeValue?: (value: JsonValue) => Buffer,
): Message {
  // fromEntries, not assignment, so a header named "__proto__" stays a header.
  const headers = Object.fromEntries(
    Object.entries(record.headers).map(([name, text]) => [name, utf8Text(text, `header '${name}'`)]),
  );
  let value: Buffer | string | null;
  const json = jsonTextOf(record);
  if (json !== undefined && config.valueFormat !== "registry" && json !== "null" && !json.startsWith('"')) {
    // A value still in the JSON text its function wrote, and neither null nor a string (which the
    // branches below may write otherwise): that text is what JSON.stringify would write.
    value = json;
  } else if (record.value instanceof Uint8Array) {
    value = Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength);
  } else if (config.valueFormat === "registry" && record.value !== null) {
    if (!encodeValue) throw new Error('valueFormat "registry" needs a registry encoder');
    value = encodeValue(record.value);
  } else if (headers["content-encoding"] === "base64" && typeof record.value === "string") {
    // Binary travels base64-encoded inside Weir; Kafka gets the bytes back.
    value = Buffer.from(record.value, "base64");
    delete headers["content-encoding"];
  } else if (record.value === null) {
    value = null;
  } else if (config.valueFormat === "utf8" && typeof record.value === "string") {
    value = utf8Text(record.value, "value");
  } else {
    value = JSON.stringify(record.value);
  }
  const key = utf8Text(keyOf(record, config.key), "key");
  return { key, value, headers, timestamp: String(record.timestamp) };
}

function keyOf(record: WeirRecord, key: KafkaKeyConfig): string | null {
  switch (key.from) {
    case "record":
      return record.key;
    case "none":
      return null;
    case "field": {
      if (record.value instanceof Uint8Array) return null;
      const found = fieldAt(record.value, key.path.split("."));
      if (found === undefined || found === null) return null;
      return typeof found === "string" ? found : JSON.stringify(found);
    }
  }
}

function fieldAt(value: JsonValue, path: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = value;
  for (const name of path) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
    current = current[name];
  }
  return current;
}
