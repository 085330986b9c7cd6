// A registered schema as a Weir port type (@weir/domain's PortSchema, a JSON Schema subset): the
// type of the JSON values the decoder produces (README "Mapping to JSON"), so a source reading a
// subject has a typed output port that save-time checks compare against downstream input types.
import type { PortSchema } from "@weir/domain";
import { portSchemaSchema } from "@weir/domain";
import type { RegistryClient, SchemaType, SubjectVersion } from "./client";
import { resolveReferences } from "./codec";
import { isJsonObject } from "./json";
import { protobufPortSchema } from "./port-schema-protobuf";
import type { NamedSchema } from "./protobuf";
import type { JsonObject, JsonValue } from "./json";

export interface PortSchemaOptions {
  /**
   * `decoded` (default): what the decoder writes, where every record field is present.
   * `encodable`: what the encoder accepts, where a field with a default may be left out.
   */
  direction?: "decoded" | "encodable";
  /** Referenced schemas (Confluent schema references) by import name, dependencies first. */
  references?: readonly NamedSchema[];
  /** Protobuf: the message (full name); the file's first message by default. */
  messageName?: string;
}

/**
 * The port type of the values a registered schema decodes to, or undefined when Weir cannot say
 * (text that does not parse, a type the subset refuses): an unknown type is never checked, so it
 * never refuses an edge. Where the mapping must widen (a JSON Schema keyword outside the subset, an
 * Avro recursive reference) the type accepts more than the schema does, never less.
 */
export function portSchemaOf(
  schemaType: SchemaType,
  schemaText: string,
  options: PortSchemaOptions = {},
): PortSchema | undefined {
  let mapped: PortSchema;
  try {
    if (schemaType === "AVRO") mapped = avroPortSchema(schemaText, options);
    else if (schemaType === "JSON") mapped = jsonSchemaPortSchema(JSON.parse(schemaText) as JsonValue);
    else mapped = protobufPortSchema(schemaText, options.references ?? [], options.messageName);
  } catch {
    return undefined;
  }
  // The subset's own parser has the last word: what it refuses would be refused in a flow too.
  const checked = portSchemaSchema.safeParse(mapped);
  return checked.success ? checked.data : undefined;
}

/**
 * The port type of a subject's latest version (references fetched), or undefined when the
 * registry has no such subject, cannot be reached, or the schema has no port type.
 */
export async function latestPortSchema(
  client: RegistryClient,
  subject: string,
  options: Omit<PortSchemaOptions, "references"> = {},
): Promise<PortSchema | undefined> {
  return (await latestSubjectType(client, subject, options)).schema;
}

/**
 * A subject's latest version (which one, its id and schema type) and its port type (undefined when
 * the schema has none), for callers that say where a type came from. Throws what the client throws
 * (a RegistryError: status 404 with error code 40401 for a subject the registry does not have).
 */
export async function latestSubjectType(
  client: RegistryClient,
  subject: string,
  options: Omit<PortSchemaOptions, "references"> = {},
): Promise<{ version: SubjectVersion; schema: PortSchema | undefined }> {
  const version = await client.version(subject, "latest");
  const references = await resolveReferences(client, version.references);
  return { version, schema: portSchemaOf(version.schemaType, version.schema, { ...options, references }) };
}

// --- Avro ---------------------------------------------------------------------------------------

type AvroSchema = string | AvroSchema[] | { [key: string]: unknown };

interface AvroContext {
  direction: "decoded" | "encodable";
  /** Named types (records, enums, fixed) by full name, as their JSON. */
  named: Map<string, { schema: { [key: string]: unknown }; namespace: string }>;
  /** Records being mapped: a reference back to one of them is recursive and maps to any value. */
  open: Set<string>;
}

function avroPortSchema(text: string, options: PortSchemaOptions): PortSchema {
  const context: AvroContext = {
    direction: options.direction ?? "decoded",
    named: new Map(),
    open: new Set(),
  };
  for (const reference of options.references ?? [])
    collectNames(JSON.parse(reference.schema) as AvroSchema, "", context);
  const schema = JSON.parse(text) as AvroSchema;
  collectNames(schema, "", context);
  return avroType(schema, "", context);
}

function qualify(name: string, namespace: string): string {
  return name.includes(".") || namespace === "" ? name : `${namespace}.${name}`;
}

function namespaceOf(schema: { [key: string]: unknown }, outer: string): string {
  const name = String(schema.name);
  if (name.includes(".")) return name.slice(0, name.lastIndexOf("."));
  return typeof schema.namespace === "string" ? schema.namespace : outer;
}

/** Every named type, so a reference by name (even ahead of its definition's walk) resolves. */
function collectNames(schema: AvroSchema, namespace: string, context: AvroContext): void {
  if (Array.isArray(schema)) {
    for (const branch of schema) collectNames(branch, namespace, context);
    return;
  }
  if (typeof schema === "string") return;
  const type = schema.type as AvroSchema;
  if (typeof type !== "string") {
    collectNames(type, namespace, context);
    return;
  }
  if (type === "record" || type === "error" || type === "enum" || type === "fixed") {
    const inner = namespaceOf(schema, namespace);
    context.named.set(qualify(String(schema.name), inner), { schema, namespace: inner });
    if (type === "record" || type === "error")
      for (const field of (schema.fields as { type: AvroSchema }[] | undefined) ?? [])
        collectNames(field.type, inner, context);
  } else if (type === "array") collectNames(schema.items as AvroSchema, namespace, context);
  else if (type === "map") collectNames(schema.values as AvroSchema, namespace, context);
}

function avroType(schema: AvroSchema, namespace: string, context: AvroContext): PortSchema {
  if (Array.isArray(schema)) return avroUnion(schema, namespace, context);
  if (typeof schema === "string") {
    const named = context.named.get(qualify(schema, namespace)) ?? context.named.get(schema);
    return named ? avroNamed(named.schema, named.namespace, context) : avroPrimitive(schema, {});
  }
  const type = schema.type as AvroSchema;
  if (typeof type !== "string") return avroType(type, namespace, context);
  switch (type) {
    case "record":
    case "error":
    case "enum":
    case "fixed":
      return avroNamed(schema, namespaceOf(schema, namespace), context);
    case "array":
      return { type: "array", items: avroType(schema.items as AvroSchema, namespace, context) };
    case "map":
      return {
        type: "object",
        additionalProperties: avroType(schema.values as AvroSchema, namespace, context),
      };
    default: {
      const named = context.named.get(qualify(type, namespace)) ?? context.named.get(type);
      return named ? avroNamed(named.schema, named.namespace, context) : avroPrimitive(type, schema);
    }
  }
}

function avroNamed(schema: { [key: string]: unknown }, namespace: string, context: AvroContext): PortSchema {
  switch (schema.type) {
    case "enum":
      return { type: "string", enum: (schema.symbols as string[] | undefined) ?? [] };
    case "fixed":
      // Base64 text; a decimal on fixed is an exact decimal string.
      return { type: "string" };
    default:
      return avroRecord(schema, namespace, context);
  }
}

function avroRecord(schema: { [key: string]: unknown }, namespace: string, context: AvroContext): PortSchema {
  const name = qualify(String(schema.name), namespace);
  // A recursive reference: the subset has no $ref, so the inner occurrence accepts any value.
  if (context.open.has(name)) return {};
  context.open.add(name);
  const properties: Record<string, PortSchema> = {};
  const required: string[] = [];
  for (const field of (schema.fields as
    { name: string; type: AvroSchema; default?: unknown }[] | undefined) ?? []) {
    properties[field.name] = avroType(field.type, namespace, context);
    // The decoder writes every field; the encoder fills in a missing field that has a default.
    if (context.direction === "decoded" || !("default" in field)) required.push(field.name);
  }
  context.open.delete(name);
  return {
    type: "object",
    properties,
    ...(required.length > 0 ? { required } : {}),
    // The decoder writes no other keys, and the encoder refuses them.
    additionalProperties: false,
  };
}

function avroUnion(branches: AvroSchema[], namespace: string, context: AvroContext): PortSchema {
  // The branch's value alone, without a {"type": value} wrapper.
  const mapped = branches.map((branch) => avroType(branch, namespace, context));
  if (mapped.length === 1) return mapped[0] as PortSchema;
  return { anyOf: mapped };
}

function avroPrimitive(type: string, schema: { [key: string]: unknown }): PortSchema {
  const logical = schema.logicalType;
  switch (type) {
    case "null":
      return { type: "null" };
    case "boolean":
      return { type: "boolean" };
    case "string":
      return { type: "string" };
    case "int":
      // A date is "2024-05-01"; time-millis stays its number.
      return logical === "date" ? { type: "string" } : { type: "integer" };
    case "long":
      // Timestamps are ISO 8601 text. A long beyond ±2^53 decodes to a string of digits: the type
      // says integer, the case nearly every value is in, so a long field fits a number input.
      return logical === "timestamp-millis" || logical === "timestamp-micros"
        ? { type: "string" }
        : { type: "integer" };
    case "float":
    case "double":
      // NaN and ±Infinity decode to "NaN", "Infinity", "-Infinity", which JSON has no number for;
      // the type says number so that a double field fits a number input (README "Port types").
      return { type: "number" };
    case "bytes":
      // Base64 text, or an exact decimal string.
      return { type: "string" };
    default:
      throw new Error(`unknown Avro type '${type}'`);
  }
}

// --- JSON Schema --------------------------------------------------------------------------------

/**
 * Keeps the keywords of the subset and drops the others, which only ever widens the type: each
 * dropped keyword was a further condition on the value. Where keeping a keyword without one it
 * depends on would narrow it (`additionalProperties` beside `patternProperties`, `items` beside
 * `prefixItems`, the exclusiveness of `oneOf` once its branches widen), that keyword goes too.
 */
function jsonSchemaPortSchema(schema: JsonValue): PortSchema {
  // `true` accepts anything; `false` nothing, which the subset cannot say: it widens to anything.
  if (!isJsonObject(schema)) return {};
  const out: PortSchema = {};
  const type = schema.type;
  if (typeof type === "string" || Array.isArray(type)) out.type = type as PortSchema["type"];
  if (isJsonObject(schema.properties))
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([key, value]) => [key, jsonSchemaPortSchema(value)]),
    );
  if (Array.isArray(schema.required) && schema.required.every((r) => typeof r === "string"))
    out.required = schema.required;
  if (schema.patternProperties === undefined && schema.additionalProperties !== undefined)
    out.additionalProperties =
      typeof schema.additionalProperties === "boolean"
        ? schema.additionalProperties
        : jsonSchemaPortSchema(schema.additionalProperties);
  // Draft 2020-12 `items` applies after `prefixItems`; draft-07 tuple `items` (a list) is dropped.
  if (schema.prefixItems === undefined && schema.items !== undefined && !Array.isArray(schema.items))
    out.items = jsonSchemaPortSchema(schema.items);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) out.enum = schema.enum;
  if (schema.const !== undefined) out.const = schema.const;
  const anyOf = branches(schema.anyOf);
  // Exactly-one becomes at-least-one: widened branches might overlap where the originals did not.
  // Beside an anyOf it is dropped (the subset has no allOf to say both).
  const oneOf = branches(schema.oneOf);
  if (anyOf.length > 0) out.anyOf = anyOf;
  else if (oneOf.length > 0) out.anyOf = oneOf;
  return { ...out, ...annotations(schema) };
}

function branches(value: JsonValue | undefined): PortSchema[] {
  return Array.isArray(value) && value.length > 0 ? value.map(jsonSchemaPortSchema) : [];
}

function annotations(schema: JsonObject): PortSchema {
  const out: PortSchema = {};
  if (typeof schema.title === "string" && schema.title.length <= 200) out.title = schema.title;
  if (typeof schema.description === "string" && schema.description.length <= 2000)
    out.description = schema.description;
  return out;
}
