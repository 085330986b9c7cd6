import { z } from "zod";
import { DEFAULT_PORT, jsonValueSchema } from "@weir/domain";
import type { NodeTypeDefinition } from "@weir/domain";

export const generatorConfigSchema = z.object({
  /** Milliseconds between records; 0 emits as fast as the flow accepts them. */
  intervalMs: z
    .number()
    .int()
    .min(0)
    .max(86_400_000)
    .default(1000)
    .describe(
      "Milliseconds between records; 0 emits as fast as the flow accepts them. Records a busy flow held up are sent together (up to a second's worth), so the rate holds.",
    ),
  /** How many records to emit in total; omit or null for an unbounded stream. */
  count: z
    .number()
    .int()
    .positive()
    .nullable()
    .default(null)
    .describe("How many records to emit in total; empty (null) for an unbounded stream."),
  /**
   * The value of each record. Any string equal to "{{seq}}" becomes the sequence number
   * (a number); "{{now}}" becomes the ISO time; inside longer strings both are substituted as text.
   */
  template: jsonValueSchema
    .default({ seq: "{{seq}}" })
    .describe(
      'The value of each record. A string equal to "{{seq}}" becomes the sequence number, "{{now}}" the ISO time; inside longer strings both are substituted as text.',
    ),
  /** Optional record key, with the same placeholders. */
  key: z
    .string()
    .max(1000)
    .nullable()
    .default(null)
    .describe("Optional record key, with the same placeholders as the template."),
});
export type GeneratorConfig = z.infer<typeof generatorConfigSchema>;

export const generatorNodeType: NodeTypeDefinition<GeneratorConfig> = {
  type: "generator",
  version: 1,
  kind: "source",
  name: "Generator",
  description: "Emits records from a JSON template on a timer, a fixed number of times or forever.",
  icon: "timer",
  configSchema: generatorConfigSchema,
  ports: { fixed: [DEFAULT_PORT] },
};
