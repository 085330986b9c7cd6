// Turns a Weir record into a Kafka message.
import type { Message } from "kafkajs";
import type { JsonValue, WeirRecord } from "@weir/domain";
import type { KafkaKeyConfig, KafkaSinkConfig } from "./definition";

export function encodeRecord(
  record: WeirRecord,
  config: Pick<KafkaSinkConfig, "key" | "valueFormat">,
): Message {
  const headers = { ...record.headers };
  let value: Buffer | string | null;
  if (headers["content-encoding"] === "base64" && typeof record.value === "string") {
    // Binary travels base64-encoded inside Weir; Kafka gets the bytes back.
    value = Buffer.from(record.value, "base64");
    delete headers["content-encoding"];
  } else if (record.value === null) {
    value = null;
  } else if (config.valueFormat === "utf8" && typeof record.value === "string") {
    value = record.value;
  } else {
    value = JSON.stringify(record.value);
  }
  return { key: keyOf(record, config.key), value, headers, timestamp: String(record.timestamp) };
}

function keyOf(record: WeirRecord, key: KafkaKeyConfig): string | null {
  switch (key.from) {
    case "record":
      return record.key;
    case "none":
      return null;
    case "field": {
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
