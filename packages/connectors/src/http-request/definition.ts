import { z } from "zod";
import { DEFAULT_PORT } from "@weir/domain";
import type { NodeTypeDefinition } from "@weir/domain";

export const httpRequestConfigSchema = z.object({
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .max(64 * 1024 * 1024)
    .default(1024 * 1024)
    .describe("Largest request body accepted, in bytes; a larger POST is refused with 413."),
  timeoutMs: z
    .number()
    .int()
    .positive()
    .max(10 * 60 * 1000)
    .default(30_000)
    .describe(
      "How long a request may take: past it the caller gets 504 (or an error line, once the answer has started) and the request's remaining records are dropped.",
    ),
  /** Accept requests without the node's ingest token. */
  public: z
    .boolean()
    .default(false)
    .describe(
      "Accept requests from anyone who can reach the engine. Off: each request needs the node's ingest token " +
        "(`Authorization: Bearer <token>`, shown in the node's inspector; 401 without it).",
    ),
  chunkBytes: z
    .number()
    .int()
    .positive()
    .max(8 * 1024 * 1024)
    .default(256 * 1024)
    .describe(
      "A body sent as bytes (any content type but JSON, e.g. `curl -T file`) is not read whole: it becomes a stream of records of this many bytes each (the last one shorter), in order, of any total size.",
    ),
});
export type HttpRequestConfig = z.infer<typeof httpRequestConfigSchema>;

export const httpRequestNodeType: NodeTypeDefinition<HttpRequestConfig> = {
  type: "http-request",
  version: 1,
  kind: "source",
  name: "HTTP request",
  description:
    "Takes a request POSTed (or PUT) to the engine at /ingest/<flowId>/<nodeId> (one JSON value or an array, or any other body as a stream of byte chunks) and keeps it open: the records reaching this flow's HTTP response sink are streamed back (NDJSON, or SSE with Accept: text/event-stream, or raw bytes for byte values) until all of the request's records have left the flow.",
  icon: "download",
  configSchema: httpRequestConfigSchema,
  ports: { fixed: [DEFAULT_PORT] },
};
