import type { FlowNode, PortSchema } from "@weir/domain";
import { describe, expect, it } from "vitest";
import type { FlowDoc } from "./graph";
import {
  edgeTypeFlags,
  inputTypeDeclaration,
  parseSchemaText,
  pruneOutputSchemas,
  sampleTypeProblems,
  withSchema,
} from "./port-types";

const numbers: PortSchema = { type: "object", properties: { n: { type: "number" } }, required: ["n"] };
const strings: PortSchema = { type: "object", properties: { n: { type: "string" } }, required: ["n"] };

const fn = (id: string, schemas?: FlowNode["schemas"]): FlowNode => ({
  id,
  kind: "function",
  type: "function",
  config: {},
  position: { x: 0, y: 0 },
  outputs: ["out", "big"],
  ...(schemas ? { schemas } : {}),
});

function doc(nodes: FlowNode[]): FlowDoc {
  return {
    name: "f",
    description: "",
    nodes,
    edges: [
      { id: "a-b", from: { node: "a", port: "big" }, to: { node: "b" } },
      { id: "a-c", from: { node: "a", port: "out" }, to: { node: "c" } },
    ],
  };
}

describe("edgeTypeFlags", () => {
  it("flags only the edge whose types provably do not fit", () => {
    const flags = edgeTypeFlags(
      doc([
        fn("a", { outputs: { big: numbers, out: numbers } }),
        fn("b", { input: strings }),
        fn("c", { input: numbers }),
      ]),
    );
    expect([...flags.keys()]).toEqual(["a-b"]);
    expect(flags.get("a-b")).toMatchObject({ from: "{ n: number; }", to: "{ n: string; }" });
    expect(flags.get("a-b")?.message).toContain(
      "port 'big' of 'a' sends { n: number; } but the input of 'b'",
    );
  });

  it("leaves untyped ends alone", () => {
    expect(edgeTypeFlags(doc([fn("a"), fn("b", { input: strings }), fn("c")])).size).toBe(0);
  });
});

describe("parseSchemaText", () => {
  it("reads the subset, empty as untyped, and says where it is wrong", () => {
    expect(parseSchemaText("  ")).toEqual({ ok: true, schema: undefined });
    expect(parseSchemaText('{"type":"string"}')).toEqual({ ok: true, schema: { type: "string" } });
    const broken = parseSchemaText('{"type":"object"');
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.error).toMatch(/^not valid JSON: /);
    expect(parseSchemaText('{"properties":{"n":{"type":"num"}}}')).toEqual({
      ok: false,
      error:
        "properties.n.type: a type is one of string, number, integer, boolean, null, object, array, or a list of them",
    });
  });
});

describe("withSchema and pruneOutputSchemas", () => {
  it("sets and removes input and port schemas, dropping empty containers", () => {
    const typed = withSchema(withSchema(fn("a"), { input: true }, numbers), { output: "big" }, strings);
    expect(typed.schemas).toEqual({ input: numbers, outputs: { big: strings } });
    expect(pruneOutputSchemas(typed, ["out"]).schemas).toEqual({ input: numbers });
    expect(
      withSchema(withSchema(typed, { input: true }, undefined), { output: "big" }, undefined),
    ).not.toHaveProperty("schemas");
  });
});

describe("sampleTypeProblems", () => {
  it("names the record and the path inside its value", () => {
    expect(sampleTypeProblems([{ value: { n: 1 } }, { value: { n: "x" } }, { value: {} }], numbers)).toEqual([
      '[1].value.n: must be number (got string "x")',
      "[2].value: missing required property 'n'",
    ]);
    expect(sampleTypeProblems([{ value: "anything" }], undefined)).toEqual([]);
  });
});

describe("inputTypeDeclaration", () => {
  it("declares Input from the schema, or as any JSON", () => {
    expect(inputTypeDeclaration(numbers)).toContain("type Input = {\n    n: number;\n  };");
    expect(inputTypeDeclaration(undefined)).toContain("type Input = JsonValue;");
  });
});
