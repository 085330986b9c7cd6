import { z } from "zod";
import type { NodeTypeDefinition } from "@weir/domain";

export const logSinkConfigSchema = z.object({
  /** How many of the most recent records to keep for reading through the API. */
  keep: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(100)
    .describe("How many of the most recent records to keep for reading in the editor and through the API."),
});
export type LogSinkConfig = z.infer<typeof logSinkConfigSchema>;

export const logSinkNodeType: NodeTypeDefinition<LogSinkConfig> = {
  type: "log",
  version: 1,
  kind: "sink",
  name: "Log",
  description: "Keeps the last N records it receives, readable in the editor and through the API.",
  icon: "list",
  configSchema: logSinkConfigSchema,
  ports: { fixed: [] },
};
