// Turns a Kafka message into a Weir record, or says why it cannot.
import type { IHeaders } from "kafkajs";
import type { JsonValue, WeirRecord } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { RegistryDecoder } from "@weir/schema-registry";
import type { KafkaSourceConfig } from "./definition";

/** The fields of a kafkajs message this connector reads. */
export interface KafkaMessageLike {
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  timestamp: string;
  offset: string;
}

export type Decoded = { ok: true; record: WeirRecord } | { ok: false; record: WeirRecord; error: string };

export function decodeMessage(
  message: KafkaMessageLike,
  format: KafkaSourceConfig["valueFormat"],
  where: { topic: string; partition: number },
  /** For valueFormat "registry": a decoder whose `prepare` has seen this message's value. */
  registry?: RegistryDecoder,
): Decoded {
  const headers = decodeHeaders(message.headers);
  const base = {
    key: message.key === null ? null : message.key.toString("utf8"),
    headers,
    timestamp: Math.max(0, Number(message.timestamp) || 0),
  };
  if (message.value === null) return { ok: true, record: { ...base, value: null } };
  switch (format) {
    case "bytes":
      return {
        ok: true,
        record: {
          ...base,
          value: message.value.toString("base64"),
          headers: { ...headers, "content-encoding": "base64" },
        },
      };
    case "utf8":
      return { ok: true, record: { ...base, value: message.value.toString("utf8") } };
    case "registry": {
      if (!registry) throw new Error('valueFormat "registry" needs a registry decoder');
      const decoded = registry.decodeSync(message.value);
      if (decoded.ok) return { ok: true, record: { ...base, value: decoded.value } };
      return {
        ok: false,
        // The raw bytes, base64 as the bytes format carries them, so the dead letter keeps them whole.
        record: {
          ...base,
          value: message.value.toString("base64"),
          headers: { ...headers, "content-encoding": "base64" },
        },
        error: `undecodable value at ${where.topic}/${String(where.partition)}@${message.offset}: ${decoded.error}`,
      };
    }
    case "json": {
      const text = message.value.toString("utf8");
      try {
        return { ok: true, record: { ...base, value: JSON.parse(text) as JsonValue } };
      } catch (error) {
        const position = `${where.topic}/${String(where.partition)}@${message.offset}`;
        return {
          ok: false,
          // The raw text, so the dead letter shows what arrived.
          record: { ...base, value: text },
          error: `bad JSON at ${position}: ${errorMessage(error)}`,
        };
      }
    }
  }
}

/** Kafka headers are bytes and may repeat; Weir headers are strings, so the last one wins. */
function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw.at(-1) : raw;
    if (value !== undefined) out[name] = value.toString();
  }
  return out;
}
