import { flowSpecSchema } from "@weir/domain";
import { describe, expect, it } from "vitest";
import { TEMPLATES } from "./catalog";

// The full check (node configs, code that compiles) is the server's on create: the browser test
// creates a flow from every template.
describe("flow templates", () => {
  it("have unique ids and names, and every one parses as a flow spec", () => {
    expect(new Set(TEMPLATES.map((t) => t.id)).size).toBe(TEMPLATES.length);
    expect(new Set(TEMPLATES.map((t) => t.spec.name)).size).toBe(TEMPLATES.length);
    for (const template of TEMPLATES) {
      expect(flowSpecSchema.safeParse(template.spec).success, template.id).toBe(true);
    }
  });
});
