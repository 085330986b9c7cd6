import { z } from "zod";
import type { NodeTypeDefinition } from "./node-type";
import { DEFAULT_PORT } from "./record";

export const functionConfigSchema = z.object({
  runtime: z.enum(["js"]).default("js"),
  language: z.enum(["typescript", "javascript"]).default("typescript"),
  /** May be empty while a flow is drafted; validateFlow reports it, and deploy refuses it. */
  code: z.string().max(1_000_000).default(""),
  /** Values the function reads as ctx.params. */
  params: z.record(z.string(), z.unknown()).default({}),
  /** Records handed to the runtime per call; batches amortise the sandbox crossing. */
  batchSize: z.number().int().min(1).max(10_000).default(100),
  /** Per-call CPU time limit in milliseconds. */
  timeoutMs: z.number().int().min(1).max(60_000).default(1_000),
});
export type FunctionConfig = z.infer<typeof functionConfigSchema>;

export const functionNodeType: NodeTypeDefinition<FunctionConfig> = {
  type: "function",
  version: 1,
  kind: "function",
  name: "Function",
  description: "Runs your TypeScript or JavaScript on every record; returns or emits records to its ports.",
  icon: "code",
  configSchema: functionConfigSchema,
  ports: { userDefined: { default: [DEFAULT_PORT] } },
};
