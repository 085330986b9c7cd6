import { describe, expect, it } from "vitest";
import type { PortSchema } from "./port-schema";
import { portSchemaSchema } from "./port-schema";
import { compatible } from "./port-schema-compat";
import { schemaToTypeScript } from "./port-schema-typescript";
import { validateValue } from "./port-schema-validate";
import { formatPath } from "./problem";

const order: PortSchema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    amount: { type: "number" },
    currency: { enum: ["EUR", "USD"] },
    tags: { type: "array", items: { type: "string" } },
  },
  required: ["id", "amount"],
};

const violations = (schema: PortSchema, value: unknown): string[] =>
  validateValue(schema, value).map((v) => `${formatPath(v.path)}: ${v.message}`);

describe("portSchemaSchema", () => {
  it("accepts the subset and refuses other keywords by name", () => {
    expect(portSchemaSchema.safeParse(order).success).toBe(true);
    const refused = portSchemaSchema.safeParse({ type: "object", properties: { n: { minimum: 1 } } });
    expect(refused.success).toBe(false);
    if (refused.success) return;
    expect(refused.error.issues[0]?.path).toEqual(["properties", "n"]);
    expect(refused.error.issues[0]?.message).toContain("unsupported JSON Schema keyword 'minimum'");
  });

  it("refuses an unknown type name", () => {
    const refused = portSchemaSchema.safeParse({ type: "float" });
    expect(refused.success).toBe(false);
    if (!refused.success) expect(refused.error.issues[0]?.message).toContain("a type is one of string");
  });
});

describe("validateValue", () => {
  it("accepts a fitting value", () => {
    expect(violations(order, { id: 1, amount: 2.5, currency: "EUR", tags: ["a"], extra: true })).toEqual([]);
  });

  it("says where and why a value does not fit", () => {
    expect(violations(order, { id: 1.5, currency: "GBP", tags: ["a", 3] })).toEqual([
      "(root): missing required property 'amount'",
      "id: must be integer (got number 1.5)",
      'currency: must be one of "EUR", "USD" (got "GBP")',
      "tags[1]: must be string (got number 3)",
    ]);
    expect(violations(order, "x")).toEqual(['(root): must be object (got string "x")']);
  });

  it("checks additionalProperties, const, anyOf and oneOf", () => {
    const closed: PortSchema = { type: "object", properties: { a: {} }, additionalProperties: false };
    expect(violations(closed, { a: 1, b: 2 })).toEqual(["b: unexpected property 'b'"]);
    expect(violations({ additionalProperties: { type: "string" } }, { a: "x", b: 2 })).toEqual([
      "b: must be string (got number 2)",
    ]);
    expect(violations({ const: { k: [1] } }, { k: [1] })).toEqual([]);
    expect(violations({ anyOf: [{ type: "string" }, { type: "null" }] }, 3)).toEqual([
      "(root): matches none of the 2 anyOf schemas (got 3)",
    ]);
    expect(violations({ oneOf: [{ type: "number" }, { type: "integer" }] }, 3)).toEqual([
      "(root): matches 2 of the oneOf schemas, not exactly one",
    ]);
  });
});

describe("compatible", () => {
  it("says yes when every value of A fits B", () => {
    expect(compatible({ type: "integer" }, { type: "number" }).verdict).toBe("yes");
    expect(
      compatible(order, { type: "object", properties: { id: { type: "number" } }, required: ["id"] }).verdict,
    ).toBe("yes");
    expect(compatible({ enum: ["a", "b"] }, { type: "string" }).verdict).toBe("yes");
    expect(compatible({ type: "string" }, { anyOf: [{ type: "string" }, { type: "null" }] }).verdict).toBe(
      "yes",
    );
    expect(compatible({ type: "boolean" }, { enum: [true, false] }).verdict).toBe("yes");
    expect(compatible(order, {}).verdict).toBe("yes");
  });

  it("says no only with a witness A accepts and B refuses", () => {
    const result = compatible(
      { type: "object", properties: { n: { type: "number" } }, required: ["n"] },
      { type: "object", properties: { n: { type: "string" } }, required: ["n"] },
    );
    expect(result.verdict).toBe("no");
    if (result.verdict !== "no") return;
    expect(result.witness).toEqual({ n: 0.5 });
    expect(formatPath(result.violation.path)).toBe("n");
    expect(result.violation.message).toBe("must be string (got number 0.5)");
  });

  it("finds a missing required key, a forbidden extra key and a wider union", () => {
    const needsB: PortSchema = { type: "object", required: ["b"] };
    expect(compatible({ type: "object", properties: { a: {} } }, needsB)).toMatchObject({
      verdict: "no",
      witness: {},
    });
    const closed: PortSchema = { type: "object", properties: { a: {} }, additionalProperties: false };
    expect(compatible({ type: "object", properties: { a: {} } }, closed)).toMatchObject({ verdict: "no" });
    expect(compatible({ type: ["string", "null"] }, { type: "string" })).toMatchObject({
      verdict: "no",
      witness: null,
    });
    expect(compatible({ type: "number" }, { type: "integer" })).toMatchObject({
      verdict: "no",
      witness: 0.5,
    });
  });

  it("says unknown rather than no when it finds no witness", () => {
    // Every string A allows is "a" or "b" only through oneOf exclusivity the structural rule does
    // not model; the answer must not be a false "no".
    const a: PortSchema = { oneOf: [{ const: "a" }, { enum: ["a", "b"] }] };
    const result = compatible(a, { const: "b" });
    expect(result.verdict).not.toBe("no");
  });
});

describe("a step budget", () => {
  // anyOf ten wide, nested eight deep, every branch recursing: 10^8 paths if walked in full. (Built
  // in memory with shared subtrees; a schema in a flow is a tree, where the walk is bounded by its
  // size, so the budget is defence in depth.)
  const wide = (depth: number): PortSchema => {
    if (depth === 0) return { type: "object", properties: { n: { type: "number" } }, required: ["n"] };
    const inner = wide(depth - 1);
    return { anyOf: Array.from({ length: 10 }, () => inner) };
  };

  it("answers unknown instead of walking an explosive schema, and validation says it is too complex", () => {
    expect(compatible(wide(8), { ...wide(8), required: ["m"] }).verdict).toBe("unknown");
    expect(violations(wide(8), { n: "x" })).toEqual([
      "(root): the schema is too complex to check (nested anyOf/oneOf too wide or deep)",
    ]);
    // Small schemas are far from the budget.
    expect(violations(wide(2), { n: 1 })).toEqual([]);
  });
});

describe("schemaToTypeScript", () => {
  it("writes objects, optional keys, unions and literals", () => {
    expect(schemaToTypeScript(order)).toBe(
      '{ id: number; amount: number; currency?: "EUR" | "USD"; tags?: string[]; }',
    );
    expect(schemaToTypeScript({ type: ["string", "null"] })).toBe("string | null");
    expect(schemaToTypeScript({})).toBe("JsonValue");
    expect(schemaToTypeScript({ type: "object", properties: { "a-b": { type: "boolean" } } })).toBe(
      '{ "a-b"?: boolean; }',
    );
    expect(
      schemaToTypeScript({ type: "array", items: { anyOf: [{ type: "string" }, { type: "number" }] } }),
    ).toBe("(string | number)[]");
  });

  it("writes descriptions as doc comments when multiline", () => {
    const text = schemaToTypeScript(
      { type: "object", properties: { n: { type: "number", description: "how many" } } },
      { multiline: true },
    );
    expect(text).toBe("{\n  /** how many */\n  n?: number;\n}");
  });
});
