// One registry schema → a codec for its payloads, with its references fetched first.
import { avroCodec } from "./avro";
import type { ValueCodec } from "./avro";
import type { RegistryClient, RegistrySchema, SchemaReference, SchemaType } from "./client";
import { jsonSchemaCodec } from "./json-schema";
import { protobufCodec } from "./protobuf";
import type { NamedSchema } from "./protobuf";

export type SchemaFormat = "avro" | "protobuf" | "json-schema";

export const formatOfType: Record<SchemaType, SchemaFormat> = {
  AVRO: "avro",
  PROTOBUF: "protobuf",
  JSON: "json-schema",
};

export const typeOfFormat: Record<SchemaFormat, SchemaType> = {
  avro: "AVRO",
  protobuf: "PROTOBUF",
  "json-schema": "JSON",
};

/** A decoder of framed payloads (after the 5-byte header) and an encoder of one message type. */
export interface PayloadCodec extends ValueCodec {
  /** Protobuf: the full name of the message `encode` writes. */
  messageName?: string;
}

/** The referenced schemas, each after those it references in turn, each once. */
export async function resolveReferences(
  client: RegistryClient,
  references: readonly SchemaReference[],
  seen = new Set<string>(),
): Promise<NamedSchema[]> {
  const out: NamedSchema[] = [];
  for (const reference of references) {
    const key = `${reference.subject}@${String(reference.version)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const found = await client.version(reference.subject, reference.version);
    out.push(...(await resolveReferences(client, found.references, seen)));
    out.push({ name: reference.name, schema: found.schema });
  }
  return out;
}

export function payloadCodec(
  schema: RegistrySchema,
  references: readonly NamedSchema[],
  messageName?: string,
): PayloadCodec {
  switch (schema.schemaType) {
    case "AVRO":
      return avroCodec(
        schema.schema,
        references.map((r) => r.schema),
      );
    case "JSON":
      return jsonSchemaCodec(schema.schema, references);
    case "PROTOBUF": {
      const codec = protobufCodec(schema.schema, references);
      const encoder = codec.encoder(messageName);
      return { decode: codec.decode, encode: encoder.encode, messageName: encoder.messageName };
    }
  }
}
