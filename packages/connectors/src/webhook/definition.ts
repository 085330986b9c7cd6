import { z } from "zod";
import type { NodeTypeDefinition } from "@weir/domain";

export const webhookSinkConfigSchema = z.object({
  url: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .describe("The http(s) URL each record is POSTed to, as JSON."),
  headers: z
    .record(z.string(), z.string())
    .default({})
    .describe('Extra request headers, e.g. { "authorization": "Bearer …" }.'),
  /** Attempts per record, the first included, before it goes to the dead-letter store. */
  maxAttempts: z
    .number()
    .int()
    .min(1)
    .max(20)
    .default(5)
    .describe("Attempts per record, the first included, before it goes to the dead letters."),
  /** Delay before the first retry; doubled for each further one. */
  backoffMs: z
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(200)
    .describe("Milliseconds before the first retry; doubled for each further one."),
  timeoutMs: z
    .number()
    .int()
    .min(1)
    .max(120_000)
    .default(10_000)
    .describe("Milliseconds one attempt may take before it counts as failed."),
});
export type WebhookSinkConfig = z.infer<typeof webhookSinkConfigSchema>;

export const webhookSinkNodeType: NodeTypeDefinition<WebhookSinkConfig> = {
  type: "webhook",
  version: 1,
  kind: "sink",
  name: "HTTP webhook",
  description: "POSTs each record as JSON to a URL, retrying with backoff on failure.",
  icon: "upload",
  configSchema: webhookSinkConfigSchema,
  ports: { fixed: [] },
};
