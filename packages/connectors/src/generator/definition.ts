import { z } from "zod";
import { DEFAULT_PORT, jsonValueSchema } from "@weir/domain";
import type { NodeTypeDefinition } from "@weir/domain";

export const generatorConfigSchema = z.object({
  /** Milliseconds between records; 0 emits as fast as the flow accepts them. */
  intervalMs: z.number().int().min(0).max(86_400_000).default(1000),
  /** How many records to emit in total; omit or null for an unbounded stream. */
  count: z.number().int().positive().nullable().default(null),
  /**
   * The value of each record. Any string equal to "{{seq}}" becomes the sequence number
   * (a number); "{{now}}" becomes the ISO time; inside longer strings both are substituted as text.
   */
  template: jsonValueSchema.default({ seq: "{{seq}}" }),
  /** Optional record key, with the same placeholders. */
  key: z.string().max(1000).nullable().default(null),
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
