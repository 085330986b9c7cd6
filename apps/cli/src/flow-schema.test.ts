// The published schema is the generated one, and it accepts the example flow and refuses an
// unknown field the way `apply` does.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { flowFileJsonSchema } from "./flow-schema";

const published = fileURLToPath(new URL("../flow.schema.json", import.meta.url));
const example = fileURLToPath(new URL("../../../examples/flows/generator-js-log.yaml", import.meta.url));

describe("flow.schema.json", () => {
  it("is what flowFileJsonSchema generates (run `weir flows schema > apps/cli/flow.schema.json`)", () => {
    expect(JSON.parse(readFileSync(published, "utf8"))).toEqual(flowFileJsonSchema());
  });

  it("accepts the example flow file and refuses an unknown node field", () => {
    const validate = z.fromJSONSchema(flowFileJsonSchema());
    const flow = parse(readFileSync(example, "utf8")) as { nodes: Record<string, unknown>[] };
    expect(validate.safeParse(flow).success).toBe(true);
    const first = flow.nodes[0] ?? {};
    const withExtra = { ...flow, nodes: [{ ...first, colour: "red" }, ...flow.nodes.slice(1)] };
    expect(validate.safeParse(withExtra).success).toBe(false);
  });

  it("accepts port types (schemas) on nodes and refuses a keyword outside the subset", () => {
    const validate = z.fromJSONSchema(flowFileJsonSchema());
    const flow = parse(readFileSync(example, "utf8")) as { nodes: Record<string, unknown>[] };
    const typed = (schema: unknown) => ({
      ...flow,
      nodes: flow.nodes.map((node) =>
        node.id === "double"
          ? { ...node, schemas: { input: schema, outputs: { out: { type: "object" } } } }
          : node,
      ),
    });
    const order = {
      type: "object",
      properties: { seq: { type: "integer" }, tags: { type: "array", items: { enum: ["a", "b"] } } },
      required: ["seq"],
      additionalProperties: false,
    };
    expect(validate.safeParse(typed(order)).success).toBe(true);
    expect(validate.safeParse(typed({ type: "object", properties: { seq: { minimum: 1 } } })).success).toBe(
      false,
    );
  });
});
