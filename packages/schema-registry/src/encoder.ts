// Encodes values against a subject's schema: the one given (checked for compatibility, then
// registered or looked up) or the subject's latest version.
import { RegistryError } from "./client";
import type { RegistryClient, RegistrySchema } from "./client";
import { formatOfType, payloadCodec, resolveReferences, typeOfFormat } from "./codec";
import type { SchemaFormat } from "./codec";
import { SchemaCompatibilityError } from "./errors";
import type { JsonValue } from "./json";
import { frame } from "./wire";

export type SubjectStrategy = "topic-name" | "record-name" | "topic-record-name";

export interface EncoderOptions {
  format: SchemaFormat;
  topic: string;
  strategy: SubjectStrategy;
  /** The schema text to write with; without it, the subject's latest version is used. */
  schema?: string;
  /** Protobuf: the message to write (full name); the file's first message by default. */
  messageName?: string;
  /** Register `schema` as a new version when the subject lacks it (after the compatibility check). */
  autoRegister: boolean;
}

export interface RegistryEncoder {
  subject: string;
  schemaId: number;
  /** Throws SchemaMismatchError (with the path in the value) when the value does not fit. */
  encode: (value: JsonValue) => Buffer;
}

/** The record's name under the record-name strategies: Avro's full name, Protobuf's message, JSON Schema's title. */
export function recordNameOf(format: SchemaFormat, schema: string, messageName?: string): string {
  switch (format) {
    case "avro": {
      const parsed = JSON.parse(schema) as { name?: unknown; namespace?: unknown };
      if (typeof parsed.name !== "string")
        throw new Error("record-name strategy: the Avro schema has no name");
      return parsed.name.includes(".") || typeof parsed.namespace !== "string"
        ? parsed.name
        : `${parsed.namespace}.${parsed.name}`;
    }
    case "protobuf": {
      if (messageName) return messageName;
      const pkg = /^\s*package\s+([\w.]+)\s*;/m.exec(schema)?.[1];
      const first = /^\s*message\s+(\w+)/m.exec(schema)?.[1];
      if (!first) throw new Error("record-name strategy: the Protobuf schema has no message");
      return pkg ? `${pkg}.${first}` : first;
    }
    case "json-schema": {
      const parsed = JSON.parse(schema) as { title?: unknown };
      if (typeof parsed.title !== "string")
        throw new Error("record-name strategy: the JSON Schema has no title");
      return parsed.title;
    }
  }
}

export function subjectFor(
  options: Pick<EncoderOptions, "format" | "topic" | "strategy" | "schema" | "messageName">,
): string {
  if (options.strategy === "topic-name") return `${options.topic}-value`;
  if (options.schema === undefined)
    throw new Error(`the ${options.strategy} strategy needs the schema to name the subject`);
  const name = recordNameOf(options.format, options.schema, options.messageName);
  return options.strategy === "record-name" ? name : `${options.topic}-${name}`;
}

export async function openEncoder(client: RegistryClient, options: EncoderOptions): Promise<RegistryEncoder> {
  const subject = subjectFor(options);
  let schema: RegistrySchema;
  let schemaId: number;
  if (options.schema !== undefined) {
    schema = { schemaType: typeOfFormat[options.format], schema: options.schema, references: [] };
    const found = await client.lookup(subject, schema);
    if (found) {
      schemaId = found.id;
    } else {
      const { compatible, messages } = await client.compatibility(subject, schema);
      if (!compatible) throw new SchemaCompatibilityError(subject, messages);
      if (!options.autoRegister)
        throw new Error(
          `the schema is not registered under subject '${subject}', and registering new versions is off`,
        );
      schemaId = await client.register(subject, schema);
    }
  } else {
    try {
      const latest = await client.version(subject, "latest");
      schema = latest;
      schemaId = latest.id;
    } catch (error) {
      if (error instanceof RegistryError && error.status === 404)
        throw new Error(`subject '${subject}' has no schema yet: give the sink a schema to register`);
      throw error;
    }
    if (formatOfType[schema.schemaType] !== options.format)
      throw new Error(
        `subject '${subject}' holds a ${formatOfType[schema.schemaType]} schema, not ${options.format}`,
      );
  }
  const codec = payloadCodec(schema, await resolveReferences(client, schema.references), options.messageName);
  const header = frame(schemaId, Buffer.alloc(0));
  const encodeAfter = codec.encodeAfter;
  const encode = encodeAfter
    ? (value: JsonValue) => encodeAfter(header, value)
    : (value: JsonValue) => frame(schemaId, codec.encode(value));
  return { subject, schemaId, encode };
}
