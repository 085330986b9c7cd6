// Typed ports at save: flow.create and flow.update store port schemas, and flow.validate,
// flow.create and flow.update refuse an edge whose sending type cannot fit, at edges[i], saving
// nothing.
import type { FlowSpecInput, PortSchema } from "@weir/domain";
import { describe, expect, it } from "vitest";
import { demoFlow, useTestApi } from "../../test/db";
import { containing } from "../../test/match";

const t = useTestApi();

const numbers: PortSchema = { type: "object", properties: { n: { type: "number" } }, required: ["n"] };
const strings: PortSchema = { type: "object", properties: { n: { type: "string" } }, required: ["n"] };

/** demoFlow (gen → double → out) with `double`'s output type and `out`'s input type. */
function typed(out: PortSchema, input: PortSchema, name = "typed"): FlowSpecInput {
  const spec = demoFlow(name);
  return {
    ...spec,
    nodes: spec.nodes?.map((n) =>
      n.id === "double"
        ? { ...n, schemas: { outputs: { out } } }
        : n.id === "out"
          ? { ...n, schemas: { input } }
          : n,
    ),
  };
}

const MESSAGE =
  "port 'out' of 'double' sends { n: number; } but the input of 'out' accepts { n: string; }: " +
  'a record such as {"n":0.5} would be refused (at n: must be string (got number 0.5))';

describe("flow with port types", () => {
  it("stores compatible port schemas and returns them", async () => {
    const { id } = await t.api.flow.create(typed(numbers, { type: "object", required: ["n"] }));
    const flow = await t.api.flow.get({ id });
    expect(flow.spec.nodes.find((n) => n.id === "double")?.schemas).toEqual({ outputs: { out: numbers } });
  });

  it("refuses an incompatible edge in validate, create and update, naming both ports", async () => {
    expect(await t.api.flow.validate(typed(numbers, strings))).toEqual({
      ok: false,
      problems: [
        { path: ["edges", 1], pathString: "edges[1]", message: MESSAGE, code: "incompatible_types" },
      ],
    });
    const before = await t.db.flowVersion.count();
    await expect(t.api.flow.create(typed(numbers, strings, "refused"))).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: containing("edges[1]: port 'out' of 'double' sends"),
    });
    const { id } = await t.api.flow.create(typed(numbers, numbers, "kept"));
    await expect(t.api.flow.update({ id, spec: typed(numbers, strings, "kept") })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await t.db.flowVersion.count()).toBe(before + 1);
  });
});
