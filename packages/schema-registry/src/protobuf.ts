// Protobuf through protobufjs, with the proto3 JSON mapping for well-known types (README
// "Mapping"). The schema file is parsed first on its own, so its top-level messages keep the order
// Confluent's message indexes count in, before references and bundled google types join it.
import protobuf from "protobufjs";
import descriptor from "protobufjs/ext/descriptor.js";
import type { Field, Type } from "protobufjs";
import { SchemaMismatchError, isBase64, isJsonObject, preview } from "./json";
import type { JsonObject, JsonValue } from "./json";
import { readMessageIndexes, writeMessageIndexes } from "./wire";

export interface ProtobufCodec {
  /** Decodes a payload that starts with its message indexes. */
  decode: (payload: Buffer) => JsonValue;
  /** Encodes as `messageName` (full name, or by default the file's first message), indexes first. */
  encoder: (messageName?: string) => { messageName: string; encode: (value: JsonValue) => Buffer };
}

export interface NamedSchema {
  /** The import name, e.g. "common/money.proto". */
  name: string;
  schema: string;
}

export function protobufCodec(schema: string, references: readonly NamedSchema[] = []): ProtobufCodec {
  const { root, topLevel } = isDescriptor(schema)
    ? fromDescriptors(schema, references)
    : fromText(schema, references);
  const byIndexes = new Map<string, Type>();
  const typeAt = (indexes: readonly number[]): Type => {
    const key = indexes.join(".");
    let type = byIndexes.get(key);
    if (!type) {
      let candidates = topLevel;
      for (const index of indexes) {
        type = candidates[index];
        if (!type) throw new Error(`message indexes [${key}] name no message of the schema`);
        candidates = messagesOf(type);
      }
      if (!type) throw new Error("empty message indexes");
      byIndexes.set(key, type);
    }
    return type;
  };
  return {
    decode: (payload) => {
      const { indexes, rest } = readMessageIndexes(payload);
      const type = typeAt(indexes);
      return messageToJson(type, type.decode(rest));
    },
    encoder: (messageName) => {
      const type = messageName ? root.lookupType(messageName) : topLevel[0];
      if (!type) throw new Error("the Protobuf schema defines no message");
      const prefix = writeMessageIndexes(indexesOf(type, topLevel));
      return {
        messageName: type.fullName.replace(/^\./, ""),
        encode: (value) => {
          const body = type
            .encode(type.fromObject(messageFromJson(type, value, "$") as Record<string, unknown>))
            .finish();
          return Buffer.concat([prefix, body]);
        },
      };
    },
  };
}

/** The schema's types, its top-level messages in file order (what message indexes count). */
export function protobufTypes(
  schema: string,
  references: readonly NamedSchema[] = [],
): { root: protobuf.Root; topLevel: Type[] } {
  return isDescriptor(schema) ? fromDescriptors(schema, references) : fromText(schema, references);
}

/** A schema given as .proto text (Confluent's usual form), its references likewise. */
function fromText(
  schema: string,
  references: readonly NamedSchema[],
): { root: protobuf.Root; topLevel: Type[] } {
  const root = new protobuf.Root();
  const parsed = protobuf.parse(schema, root, { keepCase: true });
  const home = parsed.package ? (root.lookup(parsed.package) as protobuf.NamespaceBase) : root;
  const topLevel = messagesOf(home);
  for (const reference of references) protobuf.parse(reference.schema, root, { keepCase: true });
  const given = new Set(references.map((r) => r.name));
  for (const file of allImports(parsed, references))
    if (!given.has(file)) root.addJSON(bundledFile(file).nested ?? {});
  root.resolveAll();
  return { root, topLevel };
}

function bundledFile(file: string): protobuf.INamespace {
  const bundled = (protobuf.common as unknown as Record<string, protobuf.INamespace | undefined>)[file];
  if (!bundled?.nested)
    throw new Error(`the schema imports '${file}', which is neither a reference nor a bundled google type`);
  return bundled;
}

const BASE64_ONLY = /^[A-Za-z0-9+/]+={0,2}$/;

/** Confluent's clients may register a base64 FileDescriptorProto instead of .proto text. */
function isDescriptor(schema: string): boolean {
  const text = schema.trim();
  return BASE64_ONLY.test(text) && !/\b(message|syntax)\b/.test(text);
}

interface FileDescriptor {
  name: string;
  package: string;
  dependency: string[];
  messageType: { name: string }[];
}

interface DescriptorApi {
  FileDescriptorProto: { decode: (bytes: Uint8Array) => FileDescriptor };
  FileDescriptorSet: { create: (set: { file: unknown[] }) => unknown };
}

function fromDescriptors(
  schema: string,
  references: readonly NamedSchema[],
): { root: protobuf.Root; topLevel: Type[] } {
  const api = descriptor as unknown as DescriptorApi;
  const decode = (text: string): FileDescriptor =>
    api.FileDescriptorProto.decode(Buffer.from(text.trim(), "base64"));
  const main = decode(schema);
  const files: unknown[] = [];
  const given = new Set(references.map((r) => r.name));
  const bundled = new protobuf.Root();
  for (const file of [
    ...main.dependency,
    ...references.flatMap((r) => (isDescriptor(r.schema) ? decode(r.schema).dependency : [])),
  ])
    if (!given.has(file)) bundled.addJSON(bundledFile(file).nested ?? {});
  if (bundled.nestedArray.length > 0)
    files.push(...(bundled.toDescriptor("proto3") as unknown as { file: unknown[] }).file);
  for (const reference of references) {
    if (!isDescriptor(reference.schema))
      throw new Error(`reference '${reference.name}' is .proto text under a descriptor schema`);
    files.push(decode(reference.schema));
  }
  files.push(main);
  const root = (
    protobuf.Root as unknown as { fromDescriptor: (set: unknown, context: unknown) => protobuf.Root }
  ).fromDescriptor(api.FileDescriptorSet.create({ file: files }), { keepCase: true });
  const prefix = main.package ? `${main.package}.` : "";
  return { root, topLevel: main.messageType.map((m) => root.lookupType(`${prefix}${m.name}`)) };
}

function allImports(parsed: protobuf.IParserResult, references: readonly NamedSchema[]): Set<string> {
  const files = new Set([...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]);
  for (const reference of references) {
    const inner = protobuf.parse(reference.schema, new protobuf.Root(), { keepCase: true });
    for (const file of inner.imports ?? []) files.add(file);
  }
  return files;
}

function messagesOf(namespace: { nestedArray: protobuf.ReflectionObject[] }): Type[] {
  return namespace.nestedArray.filter((item): item is Type => item instanceof protobuf.Type);
}

function indexesOf(type: Type, topLevel: readonly Type[]): number[] {
  const path: number[] = [];
  let current: Type = type;
  for (;;) {
    const top = topLevel.indexOf(current);
    if (top >= 0) return [top, ...path];
    const parent = current.parent;
    if (!(parent instanceof protobuf.Type))
      throw new Error(`message ${type.fullName} is not defined in this schema file`);
    path.unshift(messagesOf(parent).indexOf(current));
    current = parent;
  }
}

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: String,
  defaults: true,
  arrays: true,
  objects: true,
  json: true,
};

export const WRAPPERS = new Set(
  ["Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes"].map(
    (name) => `.google.protobuf.${name}Value`,
  ),
);

function messageToJson(type: Type, message: protobuf.Message): JsonValue {
  return objectToJson(type, type.toObject(message, TO_OBJECT));
}

/** `value` is what protobufjs's toObject made of a message of `type`. */
function objectToJson(type: Type, value: Record<string, unknown>): JsonValue {
  switch (type.fullName) {
    case ".google.protobuf.Timestamp":
      return timestampToJson(value);
    case ".google.protobuf.Duration":
      return durationText(longText(value.seconds), Number(value.nanos ?? 0));
    case ".google.protobuf.Struct":
      return structToJson(value);
    case ".google.protobuf.Value":
      return valueToJson(value);
    case ".google.protobuf.ListValue":
      return ((value.values as Record<string, unknown>[] | undefined) ?? []).map(valueToJson);
    default:
      if (WRAPPERS.has(type.fullName)) return (value.value ?? null) as JsonValue;
  }
  const out: JsonObject = {};
  for (const field of type.fieldsArray) {
    const item = value[field.name];
    const inner = field.resolvedType;
    if (!(inner instanceof protobuf.Type) || item === null || item === undefined) {
      out[field.name] = (item ?? null) as JsonValue;
    } else if (field.repeated) {
      out[field.name] = (item as Record<string, unknown>[]).map((entry) => objectToJson(inner, entry));
    } else if (field.map) {
      const entries = Object.entries(item as Record<string, Record<string, unknown>>);
      out[field.name] = Object.fromEntries(entries.map(([k, entry]) => [k, objectToJson(inner, entry)]));
    } else {
      out[field.name] = objectToJson(inner, item as Record<string, unknown>);
    }
  }
  return out;
}

function structToJson(value: Record<string, unknown>): JsonValue {
  const fields = (value.fields ?? {}) as Record<string, Record<string, unknown>>;
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, valueToJson(v)]));
}

function valueToJson(value: Record<string, unknown>): JsonValue {
  const pick = (camel: string, snake: string): unknown => value[camel] ?? value[snake];
  const struct = pick("structValue", "struct_value");
  if (struct) return structToJson(struct as Record<string, unknown>);
  const list = pick("listValue", "list_value") as { values?: Record<string, unknown>[] } | undefined;
  if (list) return (list.values ?? []).map(valueToJson);
  for (const [camel, snake] of [
    ["numberValue", "number_value"],
    ["stringValue", "string_value"],
    ["boolValue", "bool_value"],
  ] as const) {
    const item = pick(camel, snake);
    if (item !== undefined && item !== null) return item as JsonValue;
  }
  return null;
}

function longText(value: unknown): string {
  return typeof value === "string" || typeof value === "number" ? String(value) : "0";
}

/** proto3 JSON writes 0, 3, 6 or 9 fraction digits. */
function fractionText(nanos: number): string {
  const digits = String(Math.abs(nanos)).padStart(9, "0");
  return digits.endsWith("000000")
    ? digits.slice(0, 3)
    : digits.endsWith("000")
      ? digits.slice(0, 6)
      : digits;
}

function durationText(seconds: string, nanos: number): string {
  if (nanos === 0) return `${seconds}s`;
  const negative = seconds.startsWith("-") || nanos < 0;
  return `${negative ? "-" : ""}${seconds.replace(/^-/, "")}.${fractionText(nanos)}s`;
}

function timestampToJson(value: Record<string, unknown>): string {
  const seconds = Number(value.seconds ?? 0);
  const nanos = Number(value.nanos ?? 0);
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  return nanos === 0 ? `${iso}Z` : `${iso}.${fractionText(nanos)}Z`;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;
const DURATION = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/;

/** JSON (Weir's mapping) → the plain object protobufjs's fromObject takes, strictly checked. */
function messageFromJson(type: Type, value: JsonValue, path: string): unknown {
  switch (type.fullName) {
    case ".google.protobuf.Timestamp": {
      const match = typeof value === "string" ? RFC3339.exec(value) : null;
      const ms = match ? Date.parse(`${match[1] ?? ""}${match[3] ?? ""}`) : Number.NaN;
      if (!match || Number.isNaN(ms))
        throw mismatch(path, 'an RFC 3339 timestamp like "2024-05-01T12:00:00Z"', value);
      return { seconds: String(ms / 1000), nanos: Number((match[2] ?? "").padEnd(9, "0")) };
    }
    case ".google.protobuf.Duration": {
      const match = typeof value === "string" ? DURATION.exec(value) : null;
      if (!match) throw mismatch(path, 'a duration like "1.5s"', value);
      const sign = match[1] === "-" ? -1 : 1;
      return {
        seconds: `${match[1] ?? ""}${match[2] ?? "0"}`,
        nanos: sign * Number((match[3] ?? "").padEnd(9, "0")),
      };
    }
    case ".google.protobuf.Struct":
      if (!isJsonObject(value)) throw mismatch(path, "an object (google.protobuf.Struct)", value);
      return structFromJson(value);
    case ".google.protobuf.Value":
      return valueFromJson(value);
    case ".google.protobuf.ListValue":
      if (!Array.isArray(value)) throw mismatch(path, "an array (google.protobuf.ListValue)", value);
      return { values: value.map(valueFromJson) };
    default:
      if (WRAPPERS.has(type.fullName)) {
        const inner = type.fields.value;
        return inner ? { value: scalarFromJson(inner, value, path) } : {};
      }
  }
  if (!isJsonObject(value)) throw mismatch(path, `an object (message ${type.fullName.slice(1)})`, value);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const field = type.fields[key];
    if (!field)
      throw new SchemaMismatchError(
        `${path}.${key}`,
        `message ${type.fullName.slice(1)} has no field '${key}'`,
      );
    if (item === null) continue;
    out[key] = fieldFromJson(field, item, `${path}.${key}`);
  }
  return out;
}

function fieldFromJson(field: Field, value: JsonValue, path: string): unknown {
  const one = (item: JsonValue, at: string): unknown =>
    field.resolvedType instanceof protobuf.Type
      ? messageFromJson(field.resolvedType, item, at)
      : scalarFromJson(field, item, at);
  if (field.map) {
    if (!isJsonObject(value)) throw mismatch(path, "an object (Protobuf map)", value);
    return Object.fromEntries(Object.entries(value).map(([k, item]) => [k, one(item, `${path}.${k}`)]));
  }
  if (field.repeated) {
    if (!Array.isArray(value)) throw mismatch(path, "an array (repeated field)", value);
    return value.map((item, i) => one(item, `${path}[${String(i)}]`));
  }
  return one(value, path);
}

const INTS_32 = new Set(["int32", "sint32", "sfixed32", "uint32", "fixed32"]);
const INTS_64 = new Set(["int64", "sint64", "sfixed64", "uint64", "fixed64"]);

function scalarFromJson(field: Field, value: JsonValue, path: string): unknown {
  const enumType = field.resolvedType;
  if (enumType instanceof protobuf.Enum) {
    if (typeof value === "string" && value in enumType.values) return value;
    if (typeof value === "number" && Object.values(enumType.values).includes(value)) return value;
    throw mismatch(path, `one of ${Object.keys(enumType.values).join(", ")}`, value);
  }
  const type = field.type;
  if (type === "string") {
    if (typeof value !== "string") throw mismatch(path, "a string", value);
  } else if (type === "bool") {
    if (typeof value !== "boolean") throw mismatch(path, "true or false", value);
  } else if (type === "bytes") {
    if (!isBase64(value)) throw mismatch(path, "base64 text (Protobuf bytes)", value);
  } else if (type === "double" || type === "float") {
    if (typeof value !== "number" && value !== "NaN" && value !== "Infinity" && value !== "-Infinity")
      throw mismatch(path, "a number", value);
  } else if (INTS_32.has(type)) {
    if (typeof value !== "number" || !Number.isInteger(value))
      throw mismatch(path, `an integer (${type})`, value);
  } else if (INTS_64.has(type)) {
    const ok =
      (typeof value === "number" && Number.isSafeInteger(value)) ||
      (typeof value === "string" && /^-?\d{1,20}$/.test(value));
    if (!ok) throw mismatch(path, `a 64-bit integer (${type}; a number, or a string of digits)`, value);
  }
  return value;
}

function structFromJson(value: JsonObject): unknown {
  return { fields: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, valueFromJson(v)])) };
}

function valueFromJson(value: JsonValue): unknown {
  if (value === null) return { nullValue: 0 };
  if (typeof value === "number") return { numberValue: value };
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(valueFromJson) } };
  return { structValue: structFromJson(value) };
}

function mismatch(path: string, expected: string, value: unknown): SchemaMismatchError {
  return new SchemaMismatchError(path, `expected ${expected}, got ${preview(value)}`);
}
