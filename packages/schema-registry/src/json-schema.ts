// JSON Schema: the payload is JSON text; it is checked against the schema both ways, so a record
// the schema refuses is dead-lettered (decode) or refused (encode) with the failing path.
import { Ajv } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv";
import { SchemaMismatchError, isJsonObject } from "./json";
import type { JsonValue } from "./json";
import type { ValueCodec } from "./avro";
import type { NamedSchema } from "./protobuf";

export function jsonSchemaCodec(schema: string, references: readonly NamedSchema[] = []): ValueCodec {
  const parsed = JSON.parse(schema) as unknown;
  if (!isJsonObject(parsed) && typeof parsed !== "boolean")
    throw new Error("a JSON Schema must be an object or a boolean");
  const draft = isJsonObject(parsed) && typeof parsed.$schema === "string" ? parsed.$schema : "";
  // Draft 2019-09/2020-12 need Ajv2020; earlier drafts (and none stated) the default Ajv (draft-07).
  const ajv = /2019-09|2020-12/.test(draft)
    ? new Ajv2020({ strict: false, allErrors: false })
    : new Ajv({ strict: false, allErrors: false });
  for (const reference of references) ajv.addSchema(JSON.parse(reference.schema) as object, reference.name);
  const validate = ajv.compile(parsed as object);
  const check = (value: JsonValue): JsonValue => {
    if (!validate(value)) throw firstError(validate);
    return value;
  };
  return {
    decode: (payload) => check(JSON.parse(payload.toString("utf8")) as JsonValue),
    encode: (value) => Buffer.from(JSON.stringify(check(value)), "utf8"),
  };
}

function firstError(validate: ValidateFunction): SchemaMismatchError {
  const error: ErrorObject | undefined = validate.errors?.[0];
  if (!error) return new SchemaMismatchError("$", "does not match the schema");
  const path = `$${error.instancePath.replace(/\/([^/]*)/g, (_m, part: string) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))}`;
  return new SchemaMismatchError(path, `${error.message ?? "does not match"} (schema ${error.schemaPath})`);
}
