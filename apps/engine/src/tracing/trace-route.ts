import { z } from "zod";
import type { SpanStore } from "./span-store";

/** `POST /trace` (internal key): the spans of one trace this engine keeps. */
export const traceRequestSchema = z.object({
  traceId: z.string().regex(/^[0-9a-f]{32}$/, "must be 32 lower-case hex digits (a W3C trace id)"),
});

/** One span as the API merges them (times in epoch milliseconds; `end` null while still open). */
export interface TraceSpanAnswer {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  flowId: string;
  flowVersion: number;
  deploymentId: string;
  nodeId: string;
  nodeType: string;
  kind: "source" | "function" | "sink";
  start: number;
  end: number | null;
  batch: number | null;
  batchSize: number | null;
  error: string | null;
  deadLettered: boolean;
  attempts: number | null;
}

/** The spans this engine holds of the trace (none when tracing is off or the trace has gone). */
export function answerTrace(body: unknown, store: SpanStore | undefined): { spans: TraceSpanAnswer[] } {
  const { traceId } = traceRequestSchema.parse(body);
  const spans = store?.trace(traceId) ?? [];
  return {
    spans: spans.map((span) => ({
      spanId: span.spanId,
      parentSpanId: span.parentSpanId ?? null,
      name: span.node.name,
      flowId: span.node.flowId,
      flowVersion: span.node.flowVersion,
      deploymentId: span.node.deploymentId,
      nodeId: span.node.nodeId,
      nodeType: span.node.nodeType,
      kind: span.node.kind,
      start: span.start,
      end: span.end ?? null,
      batch: span.batch ?? null,
      batchSize: span.batchSize ?? null,
      error: span.error ?? null,
      deadLettered: span.deadLettered,
      attempts: span.attempts ?? null,
    })),
  };
}
