// Checks a value against a port schema (the JSON Schema subset of port-schema.ts) and says where
// and why it does not fit. Written here rather than taken from a JSON Schema library because this
// package depends on nothing but zod, and the subset is a page of code.
import type { JsonValue } from "./json";
import type { PortSchema, PortSchemaType } from "./port-schema";
import { typesOf } from "./port-schema";
import { metered, step } from "./port-schema-budget";

export interface SchemaViolation {
  /** Where in the value: `["items", 2, "price"]`. */
  path: (string | number)[];
  message: string;
}

/** The JSON Schema type name of a value (`integer` for whole numbers). */
export function jsonTypeOf(value: unknown): PortSchemaType | "undefined" {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "string":
      return "string";
    case "boolean":
      return "boolean";
    case "number":
      return Number.isInteger(value) ? "integer" : "number";
    case "object":
      return "object";
    case "bigint":
    case "function":
    case "symbol":
    case "undefined":
      return "undefined";
  }
  return "undefined";
}

/** Whether a value of JSON type `actual` is an instance of schema type `wanted`. */
export function typeMatches(wanted: PortSchemaType, actual: PortSchemaType | "undefined"): boolean {
  return wanted === actual || (wanted === "number" && actual === "integer");
}

/** Deep equality of JSON values, with object keys in any order (as `enum` and `const` compare). */
export function jsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => jsonEquals(item, b[i]));
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  return (
    keys.length === Object.keys(bo).length &&
    keys.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && jsonEquals(ao[k], bo[k]))
  );
}

const isObject = (value: unknown): value is Record<string, JsonValue> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function shortJson(value: unknown): string {
  const text = value === undefined ? "undefined" : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Every way `value` breaks `schema` (empty when it fits), each at its path in the value. */
export function validateValue(
  schema: PortSchema,
  value: unknown,
  path: (string | number)[] = [],
): SchemaViolation[] {
  const { value: found, exhausted } = metered(() => check(schema, value, path));
  return exhausted
    ? [{ path, message: "the schema is too complex to check (nested anyOf/oneOf too wide or deep)" }]
    : found;
}

function check(schema: PortSchema, value: unknown, path: (string | number)[]): SchemaViolation[] {
  const out: SchemaViolation[] = [];
  if (!step()) return out;
  const at = (message: string, where = path): void => {
    out.push({ path: where, message });
  };
  const types = typesOf(schema);
  const actual = jsonTypeOf(value);
  if (types && !types.some((t) => typeMatches(t, actual))) {
    at(`must be ${types.join(" or ")} (got ${actual === "integer" ? "number" : actual} ${shortJson(value)})`);
    return out;
  }
  if (schema.const !== undefined && !jsonEquals(schema.const, value))
    at(`must be ${shortJson(schema.const)} (got ${shortJson(value)})`);
  if (schema.enum && !schema.enum.some((option) => jsonEquals(option, value)))
    at(`must be one of ${schema.enum.map(shortJson).join(", ")} (got ${shortJson(value)})`);
  if (isObject(value)) {
    for (const key of schema.required ?? []) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) at(`missing required property '${key}'`);
    }
    const properties = schema.properties ?? {};
    for (const [key, child] of Object.entries(value)) {
      const declared = Object.prototype.hasOwnProperty.call(properties, key) ? properties[key] : undefined;
      if (declared) out.push(...check(declared, child, [...path, key]));
      else if (schema.additionalProperties === false) at(`unexpected property '${key}'`, [...path, key]);
      else if (typeof schema.additionalProperties === "object")
        out.push(...check(schema.additionalProperties, child, [...path, key]));
    }
  }
  if (Array.isArray(value) && schema.items) {
    const items = schema.items;
    value.forEach((item, index) => {
      out.push(...check(items, item, [...path, index]));
    });
  }
  if (schema.anyOf && !schema.anyOf.some((branch) => check(branch, value, path).length === 0)) {
    at(`matches none of the ${schema.anyOf.length} anyOf schemas (got ${shortJson(value)})`);
  }
  if (schema.oneOf) {
    const matching = schema.oneOf.filter((branch) => check(branch, value, path).length === 0).length;
    if (matching !== 1)
      at(
        matching === 0
          ? `matches none of the ${schema.oneOf.length} oneOf schemas (got ${shortJson(value)})`
          : `matches ${matching} of the oneOf schemas, not exactly one`,
      );
  }
  return out;
}

/** True when `value` fits `schema`. */
export function isValid(schema: PortSchema, value: unknown): boolean {
  return validateValue(schema, value).length === 0;
}
