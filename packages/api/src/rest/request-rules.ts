// What the API checks on requests that zod's JSON Schema output cannot show, written into the
// OpenAPI document so that a request the document calls valid is one the server takes:
//   - no text may hold a NUL character (Postgres cannot store one; the input guard refuses it),
//     neither in a value nor in an object key;
//   - rules across fields that procedures check in a refinement (a trigger runs code or an
//     artifact) and lower bounds a refinement adds (an upload is not empty).
type JsonSchema = Record<string, unknown>;

/** Any text without NUL (ECMA-262 pattern, as JSON Schema uses). */
export const NO_NUL_PATTERN = "^[^\\u0000]*$";

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function typesOf(schema: JsonSchema): string[] {
  const type = schema.type;
  if (typeof type === "string") return [type];
  return Array.isArray(type) ? type.filter((t): t is string => typeof t === "string") : [];
}

/** Where any JSON value without NUL is described, for values a procedure takes unchecked. */
export const ANY_JSON_REF = "#/components/schemas/JsonWithoutNul";

export const anyJsonWithoutNul: JsonSchema = {
  description: "any JSON value whose text and keys hold no NUL character",
  anyOf: [
    { type: "string", pattern: NO_NUL_PATTERN },
    { type: "number" },
    { type: "boolean" },
    { type: "null" },
    { type: "array", items: { $ref: ANY_JSON_REF } },
    {
      type: "object",
      propertyNames: { pattern: NO_NUL_PATTERN },
      additionalProperties: { $ref: ANY_JSON_REF },
    },
  ],
};

/**
 * Adds the NUL rule to every free-text string and every object's keys, in place and below; a
 * value taken unchecked (`{}`, or an object's undeclared fields, which are ignored but still
 * guarded) becomes any JSON without NUL.
 */
export function forbidNul(schema: unknown): void {
  if (Array.isArray(schema)) {
    for (const item of schema) forbidNul(item);
    return;
  }
  if (!isObject(schema)) return;
  if (Object.keys(schema).every((key) => key === "description")) {
    schema.$ref = ANY_JSON_REF;
    return;
  }
  const types = typesOf(schema);
  const constrained = "pattern" in schema || "format" in schema || "enum" in schema || "const" in schema;
  if (types.includes("string") && !constrained) schema.pattern = NO_NUL_PATTERN;
  const objectLike = types.includes("object") || "properties" in schema || "additionalProperties" in schema;
  if (objectLike && !("propertyNames" in schema)) schema.propertyNames = { pattern: NO_NUL_PATTERN };
  if (objectLike && !("additionalProperties" in schema)) schema.additionalProperties = { $ref: ANY_JSON_REF };
  for (const [key, value] of Object.entries(schema)) {
    if (key === "propertyNames" || key === "const" || key === "enum" || key === "default") continue;
    if (key === "examples") continue;
    forbidNul(value);
  }
}

/**
 * Request body rules by procedure, each mirroring a refinement in the procedure's input:
 * functions.trigger takes non-blank `code`, or `artifact` with runtime "wasm" and no code, and
 * never Python code with another runtime nor the python runtime with other code
 * (`router/functions.ts`); artifacts.upload refuses an empty upload (`artifacts.ts`).
 */
export const BODY_RULES: Readonly<Record<string, (body: JsonSchema) => void>> = {
  "functions.trigger": (body) => {
    // Python code and the python runtime go together (either alone implies the other).
    body.not = {
      anyOf: [
        {
          required: ["runtime", "language"],
          properties: { runtime: { const: "python" }, language: { enum: ["typescript", "javascript"] } },
        },
        {
          required: ["runtime", "language"],
          properties: { runtime: { enum: ["js", "wasm"] }, language: { const: "python" } },
        },
      ],
    };
    body.oneOf = [
      {
        required: ["code"],
        properties: { code: { type: "string", pattern: "\\S" } },
        not: { required: ["artifact"] },
      },
      {
        required: ["artifact", "runtime"],
        properties: { runtime: { const: "wasm" }, code: { type: "string", pattern: "^\\s*$" } },
      },
    ];
  },
  "artifacts.upload": (body) => {
    const base64 = (body.properties as Record<string, JsonSchema> | undefined)?.base64;
    if (base64) base64.minLength = 1;
  },
};

/** Answers some procedures give beyond every route's, with why. */
export const EXTRA_ERRORS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "functions.trigger": {
    "412": "no engine is running to try the code on",
    "502": "the engine failed or could not be reached",
    "504": "the engine did not answer in time",
  },
  "trace.get": { "412": "the web process cannot call the engines (WEIR_INTERNAL_KEY is not set)" },
};
