// Messages between kafkajs' shape (the transport's) and the @platformatic/kafka client's.
import type { Message, MessageToProduce } from "@platformatic/kafka";
import type { IHeaders, KafkaMessage, Message as OutgoingMessage } from "kafkajs";

function bytes(value: Buffer | string | null | undefined): Buffer | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === "string" ? Buffer.from(value, "utf8") : value;
}

export function toProduce(topic: string, message: OutgoingMessage): MessageToProduce {
  // Names and values both as bytes: the client's default serializers pass Buffers only.
  const headers = new Map<Buffer, Buffer>();
  for (const [name, raw] of Object.entries(message.headers ?? {})) {
    const value = Array.isArray(raw) ? raw.at(-1) : raw;
    const encoded = bytes(value);
    if (encoded !== undefined) headers.set(Buffer.from(name, "utf8"), encoded);
  }
  return {
    topic,
    ...(message.partition === undefined ? {} : { partition: message.partition }),
    key: bytes(message.key),
    // A null value is a tombstone: written as Kafka's null, not as empty bytes.
    value: bytes(message.value),
    headers,
    ...(message.timestamp === undefined ? {} : { timestamp: BigInt(message.timestamp) }),
  };
}

/** The fields the transport's decoders read, in kafkajs' shape. */
export function toIncoming(message: Message): KafkaMessage {
  const headers: IHeaders = {};
  for (const [name, value] of message.headers) headers[name.toString()] = value;
  // A null key or value (a tombstone) arrives as undefined, whatever the types say.
  const { key, value } = message as { key: Buffer | undefined; value: Buffer | undefined };
  const incoming: KafkaMessage = {
    key: key ?? null,
    value: value ?? null,
    headers,
    timestamp: String(message.timestamp),
    offset: String(message.offset),
    attributes: 0,
  };
  return incoming;
}
