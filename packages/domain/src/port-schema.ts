// The type of what crosses a port: a small subset of JSON Schema (draft 2020-12 keywords), small
// enough that whether one type always fits another can be decided soundly (port-schema-compat.ts).
import { z } from "zod";
import type { JsonValue } from "./json";
import { jsonValueSchema } from "./json";

export const portSchemaTypes = ["string", "number", "integer", "boolean", "null", "object", "array"] as const;
export type PortSchemaType = (typeof portSchemaTypes)[number];

/**
 * A JSON Schema restricted to the keywords Weir checks: `type` (one or a list), `properties`,
 * `required`, `additionalProperties` (boolean or schema), `items`, `enum`, `const`, `anyOf`,
 * `oneOf`, and the annotations `title`, `description` and `$schema`. Any other keyword is refused
 * rather than ignored, so a schema never promises a check (`minimum`, `pattern`) Weir does not make.
 * `{}` accepts any value.
 */
// A type alias, not an interface: it must be assignable to JSON types with an index signature
// (Prisma's InputJsonValue stores flow specs), which interfaces never are.
export type PortSchema = {
  type?: PortSchemaType | PortSchemaType[];
  properties?: Record<string, PortSchema>;
  required?: string[];
  additionalProperties?: boolean | PortSchema;
  items?: PortSchema;
  enum?: JsonValue[];
  const?: JsonValue;
  anyOf?: PortSchema[];
  oneOf?: PortSchema[];
  title?: string;
  description?: string;
  $schema?: string;
};

const typeNameSchema = z.enum(portSchemaTypes, {
  error: `a type is one of ${portSchemaTypes.join(", ")}`,
});

export const portSchemaSchema: z.ZodType<PortSchema> = z
  .lazy(() =>
    z.strictObject(
      {
        type: z
          .union([typeNameSchema, z.array(typeNameSchema).min(1, "lists at least one type")], {
            error: `a type is one of ${portSchemaTypes.join(", ")}, or a list of them`,
          })
          .optional(),
        properties: z.record(z.string(), portSchemaSchema).optional(),
        required: z.array(z.string()).optional(),
        additionalProperties: z.union([z.boolean(), portSchemaSchema]).optional(),
        items: portSchemaSchema.optional(),
        enum: z.array(jsonValueSchema).min(1, "lists at least one value").optional(),
        const: jsonValueSchema.optional(),
        anyOf: z.array(portSchemaSchema).min(1, "lists at least one schema").optional(),
        oneOf: z.array(portSchemaSchema).min(1, "lists at least one schema").optional(),
        title: z.string().max(200).optional(),
        description: z.string().max(2000).optional(),
        $schema: z.string().max(200).optional(),
      },
      {
        error: (issue) =>
          issue.code === "unrecognized_keys"
            ? `unsupported JSON Schema keyword${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `'${k}'`).join(", ")} (Weir checks type, properties, required, additionalProperties, items, enum, const, anyOf, oneOf)`
            : undefined,
      },
    ),
  )
  // Named, so the published flow-file schema calls its definition PortSchema.
  .meta({
    id: "PortSchema",
    description:
      "A port's type: JSON Schema limited to type, properties, required, additionalProperties, items, enum, const, anyOf, oneOf (and title, description, $schema)",
  });

/**
 * The types declared on a node's ports: what its input accepts and what each output port sends.
 * A port without a schema is untyped (anything), and edges touching it are not checked.
 */
export const nodeSchemasSchema = z.strictObject({
  /** What the node's input accepts (functions and sinks). */
  input: portSchemaSchema.optional(),
  /** By output port name: what the node sends there (sources and functions). */
  outputs: z.record(z.string(), portSchemaSchema).optional(),
});
export type NodeSchemas = z.infer<typeof nodeSchemasSchema>;

/** The schema that accepts any value. */
export const ANY_SCHEMA: PortSchema = {};

const ANNOTATIONS = new Set(["title", "description", "$schema"]);

/** True when the schema constrains nothing (`{}`, or only annotations). */
export function acceptsAnything(schema: PortSchema): boolean {
  return Object.keys(schema).every((key) => ANNOTATIONS.has(key));
}

/** The schema's `type` as a list, or undefined when it does not restrict the type. */
export function typesOf(schema: PortSchema): PortSchemaType[] | undefined {
  if (schema.type === undefined) return undefined;
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}
