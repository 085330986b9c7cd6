// Avro through avsc, with Weir's JSON mapping (README "Mapping") applied by converters compiled
// once per schema from the schema's own JSON, so logical types and unions map the same way in
// both directions.
import avro from "avsc";
import { dateFromJson, dateToIso, timestampFromJson, timestampToIso } from "./time";
import type { LongValue } from "./time";
import { decimalFromJson, decimalToString } from "./decimal";
import { SchemaMismatchError, at, isBase64, isJsonObject, preview } from "./json";
import type { JsonValue } from "./json";

export interface ValueCodec {
  decode: (payload: Buffer) => JsonValue;
  encode: (value: JsonValue) => Buffer;
  /** `header` then the encoded value, in one buffer (the wire format's 5 bytes go first). */
  encodeAfter?: (header: Buffer, value: JsonValue) => Buffer;
}

/** One node of the schema: avro value → JSON, JSON → avro value, and whether JSON fits (for unions). */
interface Converter {
  /** The union branch name avsc uses for this type. */
  branch: string;
  toJson: (value: unknown) => JsonValue;
  fromJson: (value: JsonValue) => unknown;
  accepts: (value: JsonValue) => boolean;
}

type Schema = string | Schema[] | { [key: string]: unknown };

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/**
 * Avro longs as a number while it is exact, else as a decimal string (avsc's own long refuses
 * values beyond 2^53 outright).
 */
interface Tap {
  buf: Buffer;
  pos: number;
  readLong: () => number;
  writeLong: (n: number) => void;
  writeFixed: (buf: Buffer, len: number) => void;
}

/**
 * avsc's long, except that a value beyond ±2^53 reads as a decimal string (avsc's own refuses it)
 * and such a string writes exactly. Overriding the instance's read/write keeps avsc's compiled
 * record readers on the fast number path.
 */
const LongBase = avro.types.LongType as unknown as new () => object;

class ExactLong extends LongBase {
  _read(tap: Tap): LongValue {
    const start = tap.pos;
    const n = tap.readLong();
    if (Number.isSafeInteger(n)) return n;
    tap.pos = start;
    let zigzag = 0n;
    let shift = 0n;
    for (;;) {
      const byte = tap.buf[tap.pos++] ?? 0;
      zigzag |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if (byte < 0x80 || tap.pos >= tap.buf.length) break;
    }
    return ((zigzag >> 1n) ^ -(zigzag & 1n)).toString();
  }

  _write(tap: Tap, value: LongValue): void {
    if (typeof value === "number") {
      tap.writeLong(value);
      return;
    }
    const n = BigInt(value);
    let zigzag = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
    const bytes: number[] = [];
    while (zigzag >= 0x80n) {
      bytes.push(Number(zigzag & 0x7fn) | 0x80);
      zigzag >>= 7n;
    }
    bytes.push(Number(zigzag));
    tap.writeFixed(Buffer.from(bytes), bytes.length);
  }

  _check(value: unknown, _flags: unknown, hook?: (value: unknown, type: unknown) => void): boolean {
    const ok = isLong(value);
    if (!ok && hook) hook(value, this);
    return ok;
  }
}

const exactLong = new ExactLong() as unknown as avro.Type;

function isLong(value: unknown): value is LongValue {
  if (typeof value === "number") return Number.isSafeInteger(value);
  if (typeof value !== "string" || !/^-?\d{1,19}$/.test(value)) return false;
  const n = BigInt(value);
  return n >= LONG_MIN && n <= LONG_MAX;
}

/**
 * `schema` is the Avro schema text; `references` the texts of the schemas it references (Confluent
 * schema references), dependencies first.
 */
export function avroCodec(schema: string, references: readonly string[] = []): ValueCodec {
  const registry = {};
  const options = {
    registry,
    wrapUnions: "always" as const,
    typeHook: (node: unknown) =>
      node === "long" || (isJsonObject(node) && node.type === "long") ? exactLong : undefined,
  };
  const names = new Map<string, Converter>();
  for (const text of references) {
    const parsed = JSON.parse(text) as Schema;
    avro.Type.forSchema(parsed as avro.Schema, options);
    compile(parsed, "", names);
  }
  const parsed = JSON.parse(schema) as Schema;
  const type = avro.Type.forSchema(parsed as avro.Schema, options);
  const converter = compile(parsed, "", names);
  let scratch = Buffer.allocUnsafe(16 * 1024);
  return {
    decode: (payload) => converter.toJson(type.fromBuffer(payload)),
    encode: (value) => type.toBuffer(converter.fromJson(value)),
    encodeAfter: (header, value) => {
      const converted = converter.fromJson(value);
      // avsc writes into the scratch buffer after the header; one copy leaves with the result.
      for (;;) {
        header.copy(scratch, 0);
        const end = type.encode(converted, scratch, header.length);
        if (end >= 0) return Buffer.from(scratch.subarray(0, end));
        scratch = Buffer.allocUnsafe(Math.max(scratch.length * 2, scratch.length - end));
      }
    },
  };
}

function mismatch(expected: string, value: unknown): SchemaMismatchError {
  return new SchemaMismatchError("$", `expected ${expected}, got ${preview(value)}`);
}

function simple(branch: string, expected: string, accepts: (value: JsonValue) => boolean): Converter {
  return {
    branch,
    accepts,
    toJson: (value) => value as JsonValue,
    fromJson: (value) => {
      if (!accepts(value)) throw mismatch(expected, value);
      return value;
    },
  };
}

function textOr(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

function qualify(name: string, namespace: string): string {
  return name.includes(".") || namespace === "" ? name : `${namespace}.${name}`;
}

function compile(schema: Schema, namespace: string, names: Map<string, Converter>): Converter {
  if (Array.isArray(schema)) return union(schema.map((branch) => compile(branch, namespace, names)));
  if (typeof schema === "string") {
    const named = names.get(qualify(schema, namespace)) ?? names.get(schema);
    return named ?? primitive(schema, {});
  }
  const type = schema.type as Schema;
  if (typeof type !== "string") return compile(type, namespace, names);
  switch (type) {
    case "record":
    case "error":
      return record(schema, namespace, names);
    case "enum": {
      const symbols = (schema.symbols as string[] | undefined) ?? [];
      const converter = simple(
        qualify(String(schema.name), textOr(schema.namespace, namespace)),
        `one of ${symbols.join(", ")}`,
        (v) => typeof v === "string" && symbols.includes(v),
      );
      names.set(converter.branch, converter);
      return converter;
    }
    case "fixed": {
      const converter = fixed(schema, namespace);
      names.set(converter.branch, converter);
      return converter;
    }
    case "array": {
      const items = compile(schema.items as Schema, namespace, names);
      return {
        branch: "array",
        accepts: (v) => Array.isArray(v) && v.every(items.accepts),
        toJson: (v) => (v as unknown[]).map(items.toJson),
        fromJson: (v) => {
          if (!Array.isArray(v)) throw mismatch("an array", v);
          return v.map((item, i) => at(`[${String(i)}]`, () => items.fromJson(item)));
        },
      };
    }
    case "map": {
      const values = compile(schema.values as Schema, namespace, names);
      return {
        branch: "map",
        accepts: (v) => isJsonObject(v) && Object.values(v).every(values.accepts),
        toJson: (v) => mapValues(v as Record<string, unknown>, values.toJson),
        fromJson: (v) => {
          if (!isJsonObject(v)) throw mismatch("an object (Avro map)", v);
          return Object.fromEntries(
            Object.entries(v).map(([k, item]) => [k, at(`.${k}`, () => values.fromJson(item))]),
          );
        },
      };
    }
    default: {
      const named = names.get(qualify(type, namespace)) ?? names.get(type);
      return named ?? primitive(type, schema);
    }
  }
}

function mapValues(
  value: Record<string, unknown>,
  convert: (v: unknown) => JsonValue,
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(value)) out[key] = convert(value[key]);
  return out;
}

function primitive(type: string, schema: Record<string, unknown>): Converter {
  const logical = schema.logicalType;
  switch (type) {
    case "null":
      return simple("null", "null", (v) => v === null);
    case "boolean":
      return simple("boolean", "true or false", (v) => typeof v === "boolean");
    case "string":
      return simple("string", "a string", (v) => typeof v === "string");
    case "int":
      if (logical === "date")
        return {
          branch: "int",
          accepts: (v) => dateOk(v),
          toJson: (v) => dateToIso(v as number),
          fromJson: (v) => dateFromJson(v, "$"),
        };
      return simple(
        "int",
        "a 32-bit integer",
        (v) => typeof v === "number" && Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX,
      );
    case "long":
      if (logical === "timestamp-millis" || logical === "timestamp-micros") {
        const per = logical === "timestamp-millis" ? 1 : 1000;
        return {
          branch: "long",
          accepts: (v) => timestampOk(v, per),
          toJson: (v) => timestampToIso(v as LongValue, per),
          fromJson: (v) => timestampFromJson(v, per, "$"),
        };
      }
      return simple("long", "a 64-bit integer (a number, or a string of digits beyond 2^53)", isLong);
    case "float":
    case "double":
      return {
        branch: type,
        accepts: isNumberLike,
        toJson: (v) => (Number.isFinite(v) ? (v as number) : String(v)),
        fromJson: (v) => {
          if (!isNumberLike(v)) throw mismatch(`a number (or "NaN", "Infinity", "-Infinity")`, v);
          return typeof v === "number" ? v : Number(v);
        },
      };
    case "bytes": {
      if (logical === "decimal") return decimal("bytes", schema, undefined);
      return {
        branch: "bytes",
        accepts: isBase64,
        toJson: (v) => (v as Buffer).toString("base64"),
        fromJson: (v) => {
          if (!isBase64(v)) throw mismatch("base64 text (Avro bytes)", v);
          return Buffer.from(v, "base64");
        },
      };
    }
    default:
      throw new Error(`unknown Avro type '${type}'`);
  }
}

function dateOk(value: JsonValue): boolean {
  try {
    dateFromJson(value, "");
    return true;
  } catch {
    return false;
  }
}

function timestampOk(value: JsonValue, per: 1 | 1000): boolean {
  try {
    timestampFromJson(value, per, "");
    return true;
  } catch {
    return false;
  }
}

function isNumberLike(value: JsonValue): boolean {
  return typeof value === "number" || value === "NaN" || value === "Infinity" || value === "-Infinity";
}

function decimal(branch: string, schema: Record<string, unknown>, size: number | undefined): Converter {
  const precision = Number(schema.precision);
  const scale = Number(schema.scale ?? 0);
  const accepts = (v: JsonValue): boolean => {
    try {
      decimalFromJson(v, precision, scale, size, "");
      return true;
    } catch {
      return false;
    }
  };
  return {
    branch,
    accepts,
    toJson: (v) => decimalToString(v as Buffer, scale),
    fromJson: (v) => decimalFromJson(v, precision, scale, size, "$"),
  };
}

function fixed(schema: Record<string, unknown>, namespace: string): Converter {
  const name = qualify(String(schema.name), textOr(schema.namespace, namespace));
  const size = Number(schema.size);
  if (schema.logicalType === "decimal") return decimal(name, schema, size);
  const accepts = (v: JsonValue): boolean => isBase64(v) && Buffer.from(v, "base64").length === size;
  return {
    branch: name,
    accepts,
    toJson: (v) => (v as Buffer).toString("base64"),
    fromJson: (v) => {
      if (!accepts(v)) throw mismatch(`base64 text of ${String(size)} bytes (Avro fixed ${name})`, v);
      return Buffer.from(v as string, "base64");
    },
  };
}

function record(schema: Record<string, unknown>, outer: string, names: Map<string, Converter>): Converter {
  const rawName = String(schema.name);
  const namespace = rawName.includes(".")
    ? rawName.slice(0, rawName.lastIndexOf("."))
    : textOr(schema.namespace, outer);
  const name = qualify(rawName, namespace);
  const fields: { name: string; segment: string; converter: Converter; hasDefault: boolean }[] = [];
  const known = new Set<string>();
  const converter: Converter = {
    branch: name,
    accepts: (v) =>
      isJsonObject(v) &&
      Object.keys(v).every((key) => known.has(key)) &&
      fields.every((f) => (f.name in v ? f.converter.accepts(v[f.name] ?? null) : f.hasDefault)),
    toJson: (v) => {
      const value = v as Record<string, unknown>;
      const out: Record<string, JsonValue> = {};
      for (const field of fields) out[field.name] = field.converter.toJson(value[field.name]);
      return out;
    },
    fromJson: (v) => {
      if (!isJsonObject(v)) throw mismatch(`an object (record ${name})`, v);
      const out: Record<string, unknown> = {};
      let given = 0;
      for (const field of fields) {
        const item = v[field.name];
        if (item !== undefined) {
          given++;
          // Inline rather than `at(...)`: no closure per field per record on the hot path.
          try {
            out[field.name] = field.converter.fromJson(item);
          } catch (error) {
            throw error instanceof SchemaMismatchError ? error.within(field.segment) : error;
          }
        } else if (!field.hasDefault) {
          throw new SchemaMismatchError(`$${field.segment}`, "missing, and the field has no default");
        }
      }
      // Counting first keeps the common case (no unknown keys) free of a lookup per key.
      let keys = 0;
      for (const _key in v) keys++;
      if (keys !== given)
        for (const key of Object.keys(v))
          if (!known.has(key) && v[key] !== undefined)
            throw new SchemaMismatchError(`$.${key}`, `record ${name} has no field '${key}'`);
      return out;
    },
  };
  // Registered before its fields compile, so a recursive record finds itself.
  names.set(name, converter);
  for (const field of (schema.fields as Record<string, unknown>[] | undefined) ?? []) {
    const fieldName = String(field.name);
    known.add(fieldName);
    fields.push({
      name: fieldName,
      segment: `.${fieldName}`,
      converter: compile(field.type as Schema, namespace, names),
      hasDefault: "default" in field,
    });
  }
  return converter;
}

function union(branches: Converter[]): Converter {
  const byName = new Map(branches.map((branch) => [branch.branch, branch]));
  return {
    branch: "union",
    accepts: (v) => branches.some((branch) => branch.accepts(v)),
    toJson: (v) => {
      if (v === null) return null;
      const [name, inner] = Object.entries(v as Record<string, unknown>)[0] ?? [];
      const branch = name === undefined ? undefined : byName.get(name);
      if (!branch) throw new Error(`union value without a known branch: ${preview(v)}`);
      return branch.toJson(inner);
    },
    // The first branch, in schema order, that the value fits.
    fromJson: (v) => {
      const branch = branches.find((b) => b.accepts(v));
      if (!branch) throw mismatch(`a value of one of ${branches.map((b) => b.branch).join(" | ")}`, v);
      return branch.branch === "null" ? null : { [branch.branch]: branch.fromJson(v) };
    },
  };
}
