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
  /** Per-call time limit in milliseconds (CPU and waiting alike). */
  timeoutMs: z.number().int().min(1).max(60_000).default(1_000),
  /** Heap limit of each instance, in MiB. */
  memoryLimitMb: z.number().int().min(8).max(4096).default(64),
  /** Tries per record (the first included) before it goes to the dead-letter store. */
  maxAttempts: z.number().int().min(1).max(20).default(3),
  /** Delay before the first retry, doubled for each further one. */
  retryBackoffMs: z.number().int().min(0).max(60_000).default(100),
  /** Names of secrets this function may read as ctx.secrets.NAME, resolved at deploy time. */
  secrets: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a secret name is letters, digits and '_'"))
    .default([]),
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
