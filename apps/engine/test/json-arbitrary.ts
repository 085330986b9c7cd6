// Random JSON values of the kind a careless or hostile client sends (issue 10): NUL characters,
// lone surrogates, deep nesting (bounded), huge and tiny numbers, long strings and odd keys.
import fc from "fast-check";

/** Characters and fragments that have broken storage or parsing somewhere. */
const PIECES = [
  "\u0000",
  "\ud800",
  "\udbff",
  "\udc00",
  "\udfff",
  "😀",
  "a",
  "é",
  "\\",
  '"',
  "\\u0000",
  "$weir:json",
  "__proto__",
  "\n",
  "\u2028",
  "\uffff",
];

const ODD_KEYS = ["__proto__", "constructor", "prototype", "toString", "$weir:json", "", "\u0000", "\ud800"];

export interface JsonArbitraryOptions {
  /** Leave out keys named `__proto__` (ingest's JSON schema drops them; see the engine README). */
  noProtoKeys?: boolean;
  /** Longest long string. */
  maxLongString?: number;
}

export function oddString(options: JsonArbitraryOptions = {}): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.string({ unit: "binary", maxLength: 16 }), weight: 4 },
    { arbitrary: fc.array(fc.constantFrom(...PIECES), { maxLength: 10 }).map((p) => p.join("")), weight: 4 },
    {
      arbitrary: fc
        .tuple(
          fc.string({ unit: "binary", minLength: 1, maxLength: 4 }),
          fc.integer({ min: 1000, max: options.maxLongString ?? 20_000 }),
        )
        .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length)),
      weight: 1,
    },
  );
}

function oddKey(options: JsonArbitraryOptions): fc.Arbitrary<string> {
  const keys = options.noProtoKeys === true ? ODD_KEYS.filter((key) => key !== "__proto__") : ODD_KEYS;
  const strings = oddString({ ...options, maxLongString: 2000 });
  const key = fc.oneof(fc.constantFrom(...keys), strings);
  return options.noProtoKeys === true ? key.filter((k) => k !== "__proto__") : key;
}

export const oddNumber: fc.Arbitrary<number> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(
    1e308,
    -1.7976931348623157e308,
    5e-324,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 63,
    -0,
    0.1 + 0.2,
    1e21,
  ),
);

/** Nested `depth` levels deep, alternating arrays and objects. */
function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let level = 0; level < depth; level++) value = level % 2 === 0 ? [value] : { [`d${level}`]: value };
  return value;
}

/** Any JSON value, nesting bounded (8 levels of random shape, or a chain up to 200 deep). */
export function jsonValue(options: JsonArbitraryOptions = {}): fc.Arbitrary<unknown> {
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", maxDepth: 8 },
      fc.constant(null),
      fc.boolean(),
      oddNumber,
      oddString(options),
      tie("array"),
      tie("object"),
    ),
    array: fc.array(tie("value"), { maxLength: 5 }),
    object: fc
      .array(fc.tuple(oddKey(options), tie("value")), { maxLength: 5 })
      .map((entries) => Object.fromEntries(entries) as unknown),
  }));
  return fc.oneof(
    { arbitrary: value, weight: 9 },
    {
      arbitrary: fc
        .tuple(fc.integer({ min: 20, max: 200 }), oddString(options))
        .map(([d, s]) => nested(d, s)),
      weight: 1,
    },
  );
}

/** What a value is once it has been JSON (`-0` is `0`, objects are plain): what a round trip can give back. */
export function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
