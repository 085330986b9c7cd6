// Soundness of the compatibility check, tried on random schemas of the subset: whenever it says
// "yes", no value of A (random JSON, and values built to fit A) is refused by B; whenever it says
// "no", its witness really fits A and is refused by B.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonValue } from "./json";
import type { PortSchema, PortSchemaType } from "./port-schema";
import { portSchemaTypes } from "./port-schema";
import { compatible, examples } from "./port-schema-compat";
import { isValid } from "./port-schema-validate";

const keys = fc.constantFrom("a", "b", "c");
const scalar = fc.oneof(
  fc.constantFrom<JsonValue>(null, true, false, 0, 1, -1, 0.5, "", "a", "b"),
  fc.integer({ min: -3, max: 3 }),
);
const typeName = fc.constantFrom<PortSchemaType>(...portSchemaTypes);

// fc.letrec's tie returns Arbitrary<unknown>; these name what each recursive reference yields.
const schemaOf = (tie: (key: string) => fc.Arbitrary<unknown>): fc.Arbitrary<PortSchema> =>
  tie("schema") as fc.Arbitrary<PortSchema>;
const valueOf = (tie: (key: string) => fc.Arbitrary<unknown>): fc.Arbitrary<JsonValue> =>
  tie("v") as fc.Arbitrary<JsonValue>;

const { schema } = fc.letrec<{ schema: PortSchema }>((tie) => ({
  schema: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant<PortSchema>({}),
    typeName.map((type): PortSchema => ({ type })),
    fc.uniqueArray(typeName, { minLength: 1, maxLength: 3 }).map((type): PortSchema => ({ type })),
    scalar.map((value): PortSchema => ({ const: value })),
    fc.uniqueArray(scalar, { minLength: 1, maxLength: 3 }).map((values): PortSchema => ({ enum: values })),
    fc
      .record({
        properties: fc.dictionary(keys, schemaOf(tie), { maxKeys: 3 }),
        required: fc.uniqueArray(keys, { maxLength: 2 }),
        additionalProperties: fc.oneof(fc.constant(undefined), fc.boolean(), schemaOf(tie)),
        typed: fc.boolean(),
      })
      .map(({ properties, required, additionalProperties, typed }): PortSchema => {
        const out: PortSchema = { properties, required };
        if (typed) out.type = "object";
        if (additionalProperties !== undefined) out.additionalProperties = additionalProperties;
        return out;
      }),
    schemaOf(tie).map((items): PortSchema => ({ type: "array", items })),
    fc.array(schemaOf(tie), { minLength: 1, maxLength: 3 }).map((anyOf): PortSchema => ({ anyOf })),
    fc.array(schemaOf(tie), { minLength: 1, maxLength: 3 }).map((oneOf): PortSchema => ({ oneOf })),
  ),
}));

const value: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    scalar,
    fc.array(valueOf(tie), { maxLength: 3 }),
    fc.dictionary(keys, valueOf(tie), { maxKeys: 3 }),
  ),
})).v;

describe("compatible (property)", () => {
  it("yes: every value that fits A fits B", () => {
    let yes = 0;
    fc.assert(
      fc.property(schema, schema, fc.array(value, { maxLength: 20 }), (a, b, randoms) => {
        const result = compatible(a, b);
        if (result.verdict !== "yes") return;
        yes += 1;
        for (const v of [...randoms, ...examples(a, 0)]) {
          if (isValid(a, v)) expect(isValid(b, v), JSON.stringify({ a, b, v })).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
    // The property is only worth something if "yes" is often the answer.
    expect(yes).toBeGreaterThan(300);
  });

  it("yes for every schema against itself and against {}", () => {
    fc.assert(
      fc.property(schema, (a) => {
        expect(compatible(a, {}).verdict).toBe("yes");
        expect(compatible(a, a).verdict).not.toBe("no");
      }),
      { numRuns: 2000 },
    );
  });

  it("no: the witness fits A and not B", () => {
    let no = 0;
    fc.assert(
      fc.property(schema, schema, (a, b) => {
        const result = compatible(a, b);
        if (result.verdict !== "no") return;
        no += 1;
        expect(isValid(a, result.witness)).toBe(true);
        expect(isValid(b, result.witness)).toBe(false);
      }),
      { numRuns: 3000 },
    );
    expect(no).toBeGreaterThan(300);
  });
});
