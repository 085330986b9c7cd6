import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { markedTables, renderReadme, tableSchemas } from "./readme-tables";

const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");

describe("the connectors README's option tables", () => {
  it("are what the schemas generate (run `npm run readme -w @weir/connectors` after a schema change)", () => {
    expect(renderReadme(readme)).toBe(readme);
  });

  it("cover every connector", () => {
    expect(markedTables(readme).sort()).toEqual([...tableSchemas.keys()].sort());
  });

  it("come from schemas where every field says what it is", () => {
    for (const [name, schema] of tableSchemas) {
      const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
        properties?: Record<string, { description?: string }>;
      };
      for (const [key, field] of Object.entries(json.properties ?? {}))
        expect(field.description, `${name}.${key} has no .describe()`).toBeTruthy();
    }
  });
});
