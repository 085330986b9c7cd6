import { z } from "zod";
import { DEFAULT_PORT } from "@weir/domain";
import type { NodeTypeDefinition } from "@weir/domain";

export const httpIngestConfigSchema = z.object({
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .max(64 * 1024 * 1024)
    .default(1024 * 1024)
    .describe("Largest request body accepted, in bytes; a larger POST is refused with 413."),
  /** Accept POSTs without the node's ingest token. */
  public: z
    .boolean()
    .default(false)
    .describe(
      "Accept POSTs from anyone who can reach the engine. Off: each POST needs the node's ingest token " +
        "(Authorization: Bearer <token>, shown in the node's inspector; 401 without it).",
    ),
  chunkBytes: z
    .number()
    .int()
    .positive()
    .max(8 * 1024 * 1024)
    .default(256 * 1024)
    .describe(
      "A body sent as `application/octet-stream` is not read whole: it becomes a stream of records of this many bytes each (the last one shorter), in order, of any total size, keyed by a stream id of its own; the answer counts them.",
    ),
});
export type HttpIngestConfig = z.infer<typeof httpIngestConfigSchema>;

export const httpIngestNodeType: NodeTypeDefinition<HttpIngestConfig> = {
  type: "http-ingest",
  version: 1,
  kind: "source",
  name: "HTTP ingest",
  description:
    "Accepts records POSTed to the engine at /ingest/<flowId>/<nodeId>: one JSON value or a JSON array of them, or an application/octet-stream body of any size as a stream of byte chunks, with the node's ingest token unless it is public.",
  icon: "download",
  configSchema: httpIngestConfigSchema,
  ports: { fixed: [DEFAULT_PORT] },
};
