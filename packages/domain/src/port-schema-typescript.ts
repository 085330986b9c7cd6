// A port schema as a TypeScript type, for the editor's IntelliSense (`record.value.` completes the
// input schema's properties) and for naming types in messages. Approximate where TypeScript has no
// exact counterpart: `integer` is `number`; an object without `additionalProperties` is written
// closed, so its declared properties complete and the type stays assignable to `JsonValue` (an
// undeclared key is reached as `(record.value as JsonValue)`).
import type { JsonValue } from "./json";
import type { PortSchema, PortSchemaType } from "./port-schema";
import { acceptsAnything, typesOf } from "./port-schema";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function literal(value: JsonValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  return `{ ${Object.entries(value)
    .map(([k, v]) => `${IDENTIFIER.test(k) ? k : JSON.stringify(k)}: ${literal(v)}`)
    .join("; ")} }`;
}

const union = (parts: string[]): string => {
  const unique = [...new Set(parts)];
  return unique.length === 0 ? "never" : unique.join(" | ");
};

const comment = (text: string | undefined, indent: string): string =>
  text ? `${indent}/** ${text.replace(/\*\//g, "* /").replace(/\n/g, " ")} */\n` : "";

export interface TypeScriptOptions {
  /** Newlines and indentation (for a .d.ts); otherwise one line (for messages). */
  multiline?: boolean;
}

/** The TypeScript type of the values `schema` accepts. */
export function schemaToTypeScript(schema: PortSchema, options: TypeScriptOptions = {}): string {
  return typeOf(schema, options.multiline === true ? "" : null, 0);
}

/** `indent` null: one line. */
function typeOf(schema: PortSchema, indent: string | null, depth: number): string {
  if (depth > 40) return "JsonValue";
  if (schema.const !== undefined) return literal(schema.const);
  if (schema.enum) return union(schema.enum.map(literal));
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return union(branches.map((b) => wrapUnion(typeOf(b, indent, depth + 1))));
  if (acceptsAnything(schema)) return "JsonValue";
  const types: PortSchemaType[] =
    typesOf(schema) ?? (schema.properties || schema.required ? ["object"] : schema.items ? ["array"] : []);
  if (types.length === 0) return "JsonValue";
  return union(
    types
      .filter((t) => !(t === "integer" && types.includes("number")))
      .map((t) => {
        switch (t) {
          case "object":
            return objectType(schema, indent, depth);
          case "array":
            return `${wrapUnion(typeOf(schema.items ?? {}, indent, depth + 1))}[]`;
          case "integer":
            return "number";
          case "string":
          case "number":
          case "boolean":
          case "null":
            return t;
        }
      }),
  );
}

const wrapUnion = (text: string): string =>
  text.includes(" | ") && !text.startsWith("{") ? `(${text})` : text;

function objectType(schema: PortSchema, indent: string | null, depth: number): string {
  const required = new Set(schema.required ?? []);
  const keys = [...new Set([...Object.keys(schema.properties ?? {}), ...required])];
  const inner = indent === null ? null : `${indent}  `;
  const members = keys.map((key) => {
    const property = schema.properties?.[key] ?? {};
    const name = IDENTIFIER.test(key) ? key : JSON.stringify(key);
    const member = `${name}${required.has(key) ? "" : "?"}: ${typeOf(property, inner, depth + 1)};`;
    return inner === null ? member : `${comment(property.description, inner)}${inner}${member}`;
  });
  let body: string;
  if (members.length === 0) body = "{}";
  else if (indent === null) body = `{ ${members.join(" ")} }`;
  else body = `{\n${members.join("\n")}\n${indent}}`;
  const extra = schema.additionalProperties;
  if (typeof extra === "object") {
    const index = `{ [key: string]: ${typeOf(extra, inner, depth + 1)} }`;
    return members.length === 0 ? index : `${body} & ${index}`;
  }
  if (members.length === 0 && extra !== false) return "{ [key: string]: JsonValue }";
  return body;
}

/** A short one-line name of a schema's type for messages (`{ n: number; name?: string }`). */
export function describeSchema(schema: PortSchema, maxChars = 80): string {
  const text = schemaToTypeScript(schema);
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}
