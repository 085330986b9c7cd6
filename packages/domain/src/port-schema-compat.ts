// Whether every value of one port schema is accepted by another: the check behind "this edge joins
// incompatible ports". It answers
//   yes      proven by a structural rule that is sound for the subset (property-tested),
//   no       only with a witness: a value, checked by the validator, that fits A and breaks B,
//   unknown  when neither is found (the editor and validateFlow say nothing then).
// So a flagged edge always comes with a real record that would be refused.
import type { JsonValue } from "./json";
import type { PortSchema, PortSchemaType } from "./port-schema";
import { acceptsAnything, portSchemaTypes, typesOf } from "./port-schema";
import { metered, step } from "./port-schema-budget";
import type { SchemaViolation } from "./port-schema-validate";
import { isValid, typeMatches, validateValue } from "./port-schema-validate";

export type Compatibility =
  | { verdict: "yes" }
  | { verdict: "no"; witness: JsonValue; violation: SchemaViolation }
  | { verdict: "unknown" };

/** Deeper than this, subsumption gives up (answers false, which is always safe). */
const MAX_DEPTH = 40;
/** Candidate values tried per schema level when looking for a witness. */
const MAX_EXAMPLES = 24;

/** Can every value valid for `from` be accepted by `to`? */
export function compatible(from: PortSchema, to: PortSchema): Compatibility {
  // Out of steps, any answer could be wrong (a pruned search, a cut-short validation): unknown.
  const { value, exhausted } = metered((): Compatibility => {
    if (subsumes(from, to, 0)) return { verdict: "yes" };
    for (const candidate of examples(from, 0)) {
      if (!isValid(from, candidate)) continue;
      const violations = validateValue(to, candidate);
      const first = violations[0];
      if (first) return { verdict: "no", witness: candidate, violation: first };
    }
    return { verdict: "unknown" };
  });
  return exhausted ? { verdict: "unknown" } : value;
}

const withoutKeys = (schema: PortSchema, keys: readonly (keyof PortSchema)[]): PortSchema =>
  Object.fromEntries(Object.entries(schema).filter(([key]) => !keys.includes(key as keyof PortSchema)));

/** The values of a schema when there are few: its const/enum, or null/boolean types alone. */
function finiteValues(schema: PortSchema): JsonValue[] | undefined {
  if (schema.const !== undefined) return [schema.const];
  if (schema.enum) return schema.enum;
  const types = typesOf(schema);
  if (types?.every((t) => t === "null" || t === "boolean")) {
    return types.flatMap((t): JsonValue[] => (t === "null" ? [null] : [true, false]));
  }
  return undefined;
}

const covers = (to: PortSchemaType[] | undefined, t: PortSchemaType): boolean =>
  to === undefined || to.some((wanted) => typeMatches(wanted, t));

/** Sound, incomplete: true only if every value of `a` is a value of `b`. */
export function subsumes(a: PortSchema, b: PortSchema, depth: number): boolean {
  if (acceptsAnything(b)) return true;
  if (depth > MAX_DEPTH || !step()) return false;
  const finite = finiteValues(a);
  if (finite) return finite.every((v) => !isValid(a, v) || isValid(b, v));
  // A value of `a` matches one of its branches (and the rest of `a`): either suffices.
  for (const key of ["anyOf", "oneOf"] as const) {
    const branches = a[key];
    if (branches) {
      if (branches.every((branch) => subsumes(branch, b, depth + 1))) return true;
      return subsumes(withoutKeys(a, [key]), b, depth + 1);
    }
  }
  if (b.anyOf) {
    const rest = withoutKeys(b, ["anyOf"]);
    return subsumes(a, rest, depth + 1) && b.anyOf.some((branch) => subsumes(a, branch, depth + 1));
  }
  const bOneOf = b.oneOf;
  if (bOneOf) {
    const rest = withoutKeys(b, ["oneOf"]);
    if (!subsumes(a, rest, depth + 1)) return false;
    const aTypes = typesOf(a);
    // Exactly one branch: `a` inside branch i and sharing no JSON type with any other branch.
    return bOneOf.some(
      (branch, i) =>
        subsumes(a, branch, depth + 1) &&
        bOneOf.every((other, j) => j === i || disjointTypes(aTypes, typesOf(other))),
    );
  }
  if (b.const !== undefined || b.enum) return false;
  const aTypes = typesOf(a);
  const bTypes = typesOf(b);
  if (!(aTypes ?? portSchemaTypes).every((t) => covers(bTypes, t))) return false;
  const aMay = (t: PortSchemaType): boolean => covers(aTypes, t);
  if (aMay("object") && !objectSubsumes(a, b, depth)) return false;
  if (aMay("array") && b.items && !subsumes(a.items ?? {}, b.items, depth + 1)) return false;
  return true;
}

function disjointTypes(a: PortSchemaType[] | undefined, b: PortSchemaType[] | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return a.every((x) => b.every((y) => !typeMatches(x, y) && !typeMatches(y, x)));
}

/** What `a` allows at property `key`, or null when `a` forbids the key. */
function propertyOf(a: PortSchema, key: string): PortSchema | null {
  const declared =
    a.properties && Object.prototype.hasOwnProperty.call(a.properties, key) ? a.properties[key] : undefined;
  if (declared) return declared;
  if (a.additionalProperties === false) return null;
  return typeof a.additionalProperties === "object" ? a.additionalProperties : {};
}

function objectSubsumes(a: PortSchema, b: PortSchema, depth: number): boolean {
  const aRequired = new Set(a.required ?? []);
  if (!(b.required ?? []).every((key) => aRequired.has(key))) return false;
  const bProperties = b.properties ?? {};
  for (const [key, bProperty] of Object.entries(bProperties)) {
    const aProperty = propertyOf(a, key);
    if (aProperty !== null && !subsumes(aProperty, bProperty, depth + 1)) return false;
  }
  if (b.additionalProperties === undefined || b.additionalProperties === true) return true;
  const isB = (key: string): boolean => Object.prototype.hasOwnProperty.call(bProperties, key);
  const aExtras = Object.entries(a.properties ?? {}).filter(([key]) => !isB(key));
  if (b.additionalProperties === false) return a.additionalProperties === false && aExtras.length === 0;
  const bExtra = b.additionalProperties;
  if (!aExtras.every(([, property]) => subsumes(property, bExtra, depth + 1))) return false;
  if (a.additionalProperties === false) return true;
  return subsumes(
    typeof a.additionalProperties === "object" ? a.additionalProperties : {},
    bExtra,
    depth + 1,
  );
}

/** A key no schema in practice declares, for probing `additionalProperties`. */
const EXTRA_KEY = "__weir_extra__";

const PRIMITIVE_EXAMPLES: Record<Exclude<PortSchemaType, "object" | "array">, JsonValue[]> = {
  string: ["", "x"],
  number: [0.5, 0, -1],
  integer: [0, 1, -1],
  boolean: [true, false],
  null: [null],
};

/**
 * Values that may fit `schema` (callers check), chosen to probe what another schema could
 * refuse: each type, each enum value, objects with only the required keys, with each property
 * varied, with an undeclared key, arrays empty and with each item example.
 */
export function examples(schema: PortSchema, depth: number): JsonValue[] {
  if (depth > 6 || !step()) return [];
  if (schema.const !== undefined) return [schema.const];
  if (schema.enum) return schema.enum.slice(0, MAX_EXAMPLES);
  const out: JsonValue[] = [];
  for (const key of ["anyOf", "oneOf"] as const) {
    for (const branch of schema[key] ?? [])
      out.push(...examples(mergeBranch(schema, key, branch), depth + 1));
  }
  if (schema.anyOf || schema.oneOf) return out.slice(0, MAX_EXAMPLES);
  for (const type of typesOf(schema) ?? portSchemaTypes) {
    if (type === "object") out.push(...objectExamples(schema, depth));
    else if (type === "array") {
      out.push([]);
      for (const item of examples(schema.items ?? {}, depth + 1).slice(0, 6)) out.push([item]);
    } else out.push(...PRIMITIVE_EXAMPLES[type]);
  }
  return out.slice(0, MAX_EXAMPLES);
}

/** A branch of anyOf/oneOf together with the keywords beside it, so its examples fit both. */
function mergeBranch(schema: PortSchema, key: "anyOf" | "oneOf", branch: PortSchema): PortSchema {
  const rest = withoutKeys(schema, [key]);
  const merged: PortSchema = { ...rest, ...branch };
  const restTypes = typesOf(rest);
  const branchTypes = typesOf(branch);
  if (restTypes && branchTypes) {
    const both = branchTypes.filter((t) => restTypes.some((r) => typeMatches(r, t)));
    merged.type = both.length > 0 ? both : branchTypes;
  }
  if (rest.properties || branch.properties) merged.properties = { ...rest.properties, ...branch.properties };
  if (rest.required || branch.required)
    merged.required = [...new Set([...(rest.required ?? []), ...(branch.required ?? [])])];
  return merged;
}

function objectExamples(schema: PortSchema, depth: number): JsonValue[] {
  const properties = schema.properties ?? {};
  const base: Record<string, JsonValue> = {};
  for (const key of schema.required ?? []) {
    const property = propertyOf(schema, key);
    const first = property ? examples(property, depth + 1).find((v) => isValid(property, v)) : undefined;
    base[key] = first ?? null;
  }
  const out: JsonValue[] = [base];
  for (const [key, property] of Object.entries(properties)) {
    for (const value of examples(property, depth + 1).slice(0, 6)) out.push({ ...base, [key]: value });
  }
  const extra = propertyOf(schema, EXTRA_KEY);
  if (extra !== null) {
    const value = examples(extra, depth + 1).find((v) => isValid(extra, v));
    if (value !== undefined) out.push({ ...base, [EXTRA_KEY]: value });
  }
  return out;
}
