// The connectors README's option tables, generated from the config schemas (their `.describe()`
// texts and defaults, through z.toJSONSchema as the editor sees them), so no table is retyped by
// hand. A table lives between `<!-- options:<name> -->` and `<!-- /options -->` in README.md;
// `npm run readme -w @weir/connectors` rewrites them, and readme-tables.test.ts fails when one is stale.
import { z } from "zod";
import { kafkaConnectionSchema } from "../src/kafka-common/schema";
import { registryConnectionSchema, sinkSchemaSchema } from "../src/schema-registry/schema";
import { builtinNodeTypes } from "../src/definitions";

/** Every table the README may hold, by the name its marker uses. */
export const tableSchemas: ReadonlyMap<string, z.ZodType> = new Map<string, z.ZodType>([
  ...builtinNodeTypes
    .filter((t) => t.type !== "function")
    .map((t): [string, z.ZodType] => [t.type, t.configSchema]),
  ["kafka-connection", kafkaConnectionSchema],
  ["schema-registry-connection", registryConnectionSchema],
  ["kafka-sink-schema", sinkSchemaSchema],
]);

interface JsonSchemaField {
  description?: string;
  default?: unknown;
}

const cell = (text: string): string => text.replaceAll("|", "\\|").replaceAll("\n", " ");

/** One Markdown table: option, default, meaning; padded as prettier pads tables. */
export function optionTable(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, JsonSchemaField>;
    required?: string[];
  };
  const required = new Set(json.required ?? []);
  const rows = Object.entries(json.properties ?? {}).map(([key, field]) => [
    `\`${key}\``,
    "default" in field ? `\`${cell(JSON.stringify(field.default))}\`` : required.has(key) ? "required" : "—",
    cell(field.description ?? ""),
  ]);
  const all = [["option", "default", "meaning"], ...rows];
  const widths = [0, 1, 2].map((i) => Math.max(3, ...all.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(all[0] ?? []), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...rows.map(line)].join(
    "\n",
  );
}

const MARKER = /(<!-- options:([a-z-]+) -->\n)[\s\S]*?(\n<!-- \/options -->)/g;

/** The README with every marked table regenerated; throws on a marker naming no schema. */
export function renderReadme(readme: string): string {
  return readme.replace(MARKER, (_all, open: string, name: string, close: string) => {
    const schema = tableSchemas.get(name);
    if (!schema) throw new Error(`README marks a table for '${name}', which has no schema`);
    return `${open}\n${optionTable(schema)}\n${close}`;
  });
}

/** The names of the tables a README holds. */
export function markedTables(readme: string): string[] {
  return [...readme.matchAll(MARKER)].map((m) => m[2] ?? "");
}
