import { describe, expect, it } from "vitest";
import { jsonSchemaCodec } from "./json-schema";

const schema = JSON.stringify({
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "Order",
  type: "object",
  properties: { id: { type: "integer" }, items: { type: "array", items: { type: "string" } } },
  required: ["id"],
  additionalProperties: false,
});

describe("JSON Schema", () => {
  const codec = jsonSchemaCodec(schema);

  it("writes and reads JSON text checked against the schema", () => {
    const bytes = codec.encode({ id: 1, items: ["a"] });
    expect(bytes.toString()).toBe('{"id":1,"items":["a"]}');
    expect(codec.decode(bytes)).toEqual({ id: 1, items: ["a"] });
  });

  it("refuses what the schema refuses, with the path, both ways", () => {
    expect(() => codec.encode({ id: 1, items: ["a", 2] })).toThrow("$.items[1]: must be string");
    expect(() => codec.decode(Buffer.from('{"items":[]}'))).toThrow("$: must have required property 'id'");
  });

  it("understands draft 2020-12", () => {
    const modern = jsonSchemaCodec(
      JSON.stringify({
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: "array",
        prefixItems: [{ type: "number" }],
      }),
    );
    expect(() => modern.encode(["x"])).toThrow("$[0]: must be number");
  });
});
