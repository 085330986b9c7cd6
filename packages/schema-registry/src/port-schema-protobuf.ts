// A Protobuf schema's message as a Weir port type: the JSON the decoder writes for it (README
// "Mapping to JSON"): every field present under its .proto name, an unset message (or oneof
// member) null, 64-bit integers as strings, enums by name, the well-known types as their JSON.
import protobuf from "protobufjs";
import type { Field, Type } from "protobufjs";
import type { PortSchema } from "@weir/domain";
import type { NamedSchema } from "./protobuf";
import { WRAPPERS, protobufTypes } from "./protobuf";

const INTS_32 = new Set(["int32", "sint32", "sfixed32", "uint32", "fixed32"]);
const INTS_64 = new Set(["int64", "sint64", "sfixed64", "uint64", "fixed64"]);

/**
 * The type of `messageName` (full name), by default the file's first message: what the encoder
 * writes, and what a topic-name subject's producers write in the usual one-message-per-topic case.
 */
export function protobufPortSchema(
  schema: string,
  references: readonly NamedSchema[],
  messageName?: string,
): PortSchema {
  const { root, topLevel } = protobufTypes(schema, references);
  const type = messageName ? root.lookupType(messageName) : topLevel[0];
  if (!type) throw new Error("the Protobuf schema defines no message");
  return messageType(type, new Set());
}

function messageType(type: Type, open: Set<string>): PortSchema {
  switch (type.fullName) {
    case ".google.protobuf.Timestamp":
    case ".google.protobuf.Duration":
      return { type: "string" };
    case ".google.protobuf.Struct":
      return { type: "object" };
    case ".google.protobuf.Value":
      return {};
    case ".google.protobuf.ListValue":
      return { type: "array" };
    default:
      if (WRAPPERS.has(type.fullName)) {
        const inner = type.fields.value;
        return { anyOf: [{ type: "null" }, inner ? scalarType(inner) : {}] };
      }
  }
  // A recursive reference: the subset has no $ref, so the inner occurrence accepts any value.
  if (open.has(type.fullName)) return {};
  open.add(type.fullName);
  const properties: Record<string, PortSchema> = {};
  for (const field of type.fieldsArray) properties[field.name] = fieldType(field, open);
  open.delete(type.fullName);
  return {
    type: "object",
    properties,
    // The decoder writes every field, set or not.
    ...(type.fieldsArray.length > 0 ? { required: type.fieldsArray.map((f) => f.name) } : {}),
    additionalProperties: false,
  };
}

function fieldType(field: Field, open: Set<string>): PortSchema {
  field.resolve();
  const inner = field.resolvedType;
  const one = (): PortSchema =>
    inner instanceof protobuf.Type ? messageType(inner, open) : scalarType(field);
  if (field.map) return { type: "object", additionalProperties: one() };
  if (field.repeated) return { type: "array", items: one() };
  // An unset message field, or an unset member of a oneof (proto3 `optional` included), is null.
  if (inner instanceof protobuf.Type || field.partOf) return nullable(one());
  return one();
}

function nullable(schema: PortSchema): PortSchema {
  if (schema.anyOf?.some((branch) => branch.type === "null")) return schema;
  return { anyOf: [{ type: "null" }, schema] };
}

function scalarType(field: Field): PortSchema {
  const inner = field.resolvedType;
  // By name; a number the schema does not name (a newer writer's value) is outside the type.
  if (inner instanceof protobuf.Enum) return { type: "string", enum: Object.keys(inner.values) };
  const type = field.type;
  if (type === "string" || type === "bytes") return { type: "string" };
  if (type === "bool") return { type: "boolean" };
  // NaN and ±Infinity, as with Avro, decode to strings outside the type.
  if (type === "double" || type === "float") return { type: "number" };
  if (INTS_32.has(type)) return { type: "integer" };
  if (INTS_64.has(type)) return { type: "string" };
  return {};
}
