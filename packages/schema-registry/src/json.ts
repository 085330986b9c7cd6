/** A JSON value: what a Weir record's value holds (the same shape as `JsonValue` in @weir/domain). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type JsonObject = Record<string, JsonValue>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** A value that does not fit the schema; `path` is where in the value (`$.a.b[2]`). */
export class SchemaMismatchError extends Error {
  override name = "SchemaMismatchError";
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }

  /** The same mismatch seen from the enclosing value: `segment` is ".field" or "[3]". */
  within(segment: string): SchemaMismatchError {
    return new SchemaMismatchError(`$${segment}${this.path.slice(1)}`, this.reason);
  }
}

/** Runs `convert`, prefixing the path of a mismatch it throws; paths are only built on failure. */
export function at<T>(segment: string, convert: () => T): T {
  try {
    return convert();
  } catch (error) {
    throw error instanceof SchemaMismatchError ? error.within(segment) : error;
  }
}

/** A short rendering of a value for an error message. */
export function preview(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isBase64(value: unknown): value is string {
  return typeof value === "string" && BASE64.test(value);
}
