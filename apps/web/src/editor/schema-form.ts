// Turns a node type's config JSON Schema (what `nodeTypes.list` returns, made by z.toJSONSchema)
// into form fields, and a field's text back into a config value with an inline message when it
// does not fit. Anything the form cannot show as a simple control is edited as JSON, so no
// schema is ever unrepresentable.
import type { JsonValue } from "@weir/domain";

type Schema = Record<string, unknown>;

export type FieldControl =
  | {
      kind: "number";
      integer: boolean;
      min?: number;
      max?: number;
      exclusiveMin?: number;
      exclusiveMax?: number;
    }
  | { kind: "text"; pattern?: string; minLength?: number; maxLength?: number; format?: string }
  | { kind: "select"; options: { label: string; value: JsonValue }[] }
  | { kind: "boolean" }
  | { kind: "list"; item: FieldControl; minItems?: number }
  | { kind: "json" };

export interface FieldSpec {
  key: string;
  label: string;
  required: boolean;
  /** Empty text means null rather than "use the default". */
  nullable: boolean;
  default?: JsonValue;
  description?: string;
  control: FieldControl;
}

export type FieldResult = { ok: true; value: JsonValue | undefined } | { ok: false; error: string };

const isObject = (value: unknown): value is Schema =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `intervalMs` → `Interval ms`, `maxBodyBytes` → `Max body bytes`. */
export function labelOf(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** How a choice reads in a select: strings as they are, anything else as JSON. */
const labelOfValue = (value: JsonValue): string =>
  typeof value === "string" ? value : JSON.stringify(value);

function controlOf(schema: Schema): FieldControl {
  if (Array.isArray(schema.enum)) {
    return {
      kind: "select",
      options: (schema.enum as JsonValue[]).map((v) => ({ label: labelOfValue(v), value: v })),
    };
  }
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives) && alternatives.every((a) => isObject(a) && "const" in a)) {
    return {
      kind: "select",
      options: alternatives.map((a) => {
        const value = (a as { const: JsonValue }).const;
        return { label: labelOfValue(value), value };
      }),
    };
  }
  switch (schema.type) {
    case "integer":
    case "number": {
      const control: FieldControl = { kind: "number", integer: schema.type === "integer" };
      if (typeof schema.minimum === "number") control.min = schema.minimum;
      if (typeof schema.maximum === "number" && schema.maximum < Number.MAX_SAFE_INTEGER)
        control.max = schema.maximum;
      if (typeof schema.exclusiveMinimum === "number") control.exclusiveMin = schema.exclusiveMinimum;
      if (typeof schema.exclusiveMaximum === "number") control.exclusiveMax = schema.exclusiveMaximum;
      return control;
    }
    case "string": {
      const control: FieldControl = { kind: "text" };
      if (typeof schema.pattern === "string") control.pattern = schema.pattern;
      if (typeof schema.minLength === "number") control.minLength = schema.minLength;
      if (typeof schema.maxLength === "number") control.maxLength = schema.maxLength;
      if (typeof schema.format === "string") control.format = schema.format;
      return control;
    }
    case "boolean":
      return { kind: "boolean" };
    case "array": {
      const item = isObject(schema.items) ? controlOf(schema.items) : ({ kind: "json" } as const);
      // Lists of plain strings and numbers are typed comma-separated; anything richer as JSON.
      if (item.kind !== "text" && item.kind !== "number") return { kind: "json" };
      const control: FieldControl = { kind: "list", item };
      if (typeof schema.minItems === "number") control.minItems = schema.minItems;
      return control;
    }
    default:
      return { kind: "json" };
  }
}

/** `anyOf: [X, {type: "null"}]` is X that may also be null. */
function unwrapNullable(schema: Schema): { schema: Schema; nullable: boolean } {
  const alternatives = schema.anyOf;
  if (!Array.isArray(alternatives)) return { schema, nullable: false };
  const nonNull = alternatives.filter((a) => !(isObject(a) && a.type === "null"));
  if (nonNull.length === 1 && nonNull.length < alternatives.length && isObject(nonNull[0])) {
    const { anyOf: _anyOf, ...rest } = schema;
    return { schema: { ...rest, ...nonNull[0] }, nullable: true };
  }
  return { schema, nullable: false };
}

/** The form of a config schema: one field per property, in the schema's order. */
export function fieldsOf(configSchema: unknown): FieldSpec[] {
  if (!isObject(configSchema) || !isObject(configSchema.properties)) return [];
  const required = new Set(Array.isArray(configSchema.required) ? (configSchema.required as string[]) : []);
  return Object.entries(configSchema.properties).map(([key, raw]) => {
    const { schema, nullable } = unwrapNullable(isObject(raw) ? raw : {});
    const field: FieldSpec = {
      key,
      label: labelOf(key),
      required: required.has(key),
      nullable,
      control: controlOf(schema),
    };
    if ("default" in schema) field.default = schema.default as JsonValue;
    if (typeof schema.description === "string") field.description = schema.description;
    return field;
  });
}

/** How a config value is shown in its control (the empty string when unset). */
export function formatValue(field: FieldSpec, value: JsonValue | undefined): string {
  if (value === undefined || value === null) return "";
  switch (field.control.kind) {
    case "list":
      return Array.isArray(value) ? value.map(String).join(", ") : JSON.stringify(value);
    case "json":
      return JSON.stringify(value, null, 2);
    case "select":
      return JSON.stringify(value);
    case "number":
    case "text":
    case "boolean":
      return typeof value === "string" ? value : JSON.stringify(value);
  }
}

function checkScalar(control: FieldControl, text: string): FieldResult {
  switch (control.kind) {
    case "number": {
      const n = Number(text);
      if (text.trim() === "" || !Number.isFinite(n)) return { ok: false, error: "must be a number" };
      if (control.integer && !Number.isInteger(n)) return { ok: false, error: "must be a whole number" };
      if (control.min !== undefined && n < control.min)
        return { ok: false, error: `must be at least ${control.min}` };
      if (control.max !== undefined && n > control.max)
        return { ok: false, error: `must be at most ${control.max}` };
      if (control.exclusiveMin !== undefined && n <= control.exclusiveMin)
        return { ok: false, error: `must be more than ${control.exclusiveMin}` };
      if (control.exclusiveMax !== undefined && n >= control.exclusiveMax)
        return { ok: false, error: `must be less than ${control.exclusiveMax}` };
      return { ok: true, value: n };
    }
    case "text": {
      if (control.minLength !== undefined && text.length < control.minLength)
        return { ok: false, error: `must be at least ${control.minLength} characters` };
      if (control.maxLength !== undefined && text.length > control.maxLength)
        return { ok: false, error: `must be at most ${control.maxLength} characters` };
      if (control.pattern !== undefined && !new RegExp(control.pattern, "u").test(text))
        return { ok: false, error: `must match ${control.pattern}` };
      if (control.format === "uri" && !URL.canParse(text))
        return { ok: false, error: "must be a URL, e.g. https://example.com/hook" };
      return { ok: true, value: text };
    }
    case "select":
    case "boolean":
    case "list":
    case "json":
      return { ok: false, error: "not a scalar field" };
  }
}

/**
 * Reads what the user typed. Empty text leaves the key out (the type's default applies), is
 * null for nullable fields, and is an error for a required field without a default.
 */
export function parseField(field: FieldSpec, text: string): FieldResult {
  const { control } = field;
  if (text.trim() === "" && control.kind !== "select") {
    if (field.nullable) return { ok: true, value: null };
    if (field.required && field.default === undefined) return { ok: false, error: "is required" };
    return { ok: true, value: undefined };
  }
  switch (control.kind) {
    case "number":
    case "text":
      return checkScalar(control, control.kind === "number" ? text.trim() : text);
    case "boolean":
      if (text === "true" || text === "false") return { ok: true, value: text === "true" };
      return { ok: false, error: "must be true or false" };
    case "select": {
      if (text === "")
        return field.required && field.default === undefined
          ? { ok: false, error: "is required" }
          : { ok: true, value: undefined };
      const option = control.options.find((o) => JSON.stringify(o.value) === text);
      return option ? { ok: true, value: option.value } : { ok: false, error: "is not one of the choices" };
    }
    case "list": {
      const items = text
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      if (control.minItems !== undefined && items.length < control.minItems)
        return {
          ok: false,
          error: `needs at least ${control.minItems} item${control.minItems === 1 ? "" : "s"}`,
        };
      const values: JsonValue[] = [];
      for (const [index, item] of items.entries()) {
        const result = checkScalar(control.item, item);
        if (!result.ok) return { ok: false, error: `item ${index + 1} ('${item}') ${result.error}` };
        values.push(result.value ?? null);
      }
      return { ok: true, value: values };
    }
    case "json":
      try {
        return { ok: true, value: JSON.parse(text) as JsonValue };
      } catch (error) {
        return {
          ok: false,
          error: `is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
  }
}
