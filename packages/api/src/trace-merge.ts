import { z } from "zod";

/** One span as an engine answers `POST /trace` (apps/engine/src/tracing/trace-route.ts). */
export const engineSpanSchema = z.object({
  spanId: z.string(),
  parentSpanId: z.string().nullable(),
  name: z.string(),
  flowId: z.string(),
  flowVersion: z.number(),
  deploymentId: z.string(),
  nodeId: z.string(),
  nodeType: z.string(),
  kind: z.enum(["source", "function", "sink"]),
  start: z.number(),
  end: z.number().nullable(),
  batch: z.number().nullable(),
  batchSize: z.number().nullable(),
  error: z.string().nullable(),
  deadLettered: z.boolean(),
  attempts: z.number().nullable(),
});
export type EngineSpan = z.infer<typeof engineSpanSchema>;

export const engineTraceAnswerSchema = z.object({ spans: z.array(engineSpanSchema) });

/** A span in a trace view: where it starts from the trace's first span, and how long it took. */
export interface TraceSpan extends Omit<EngineSpan, "start" | "end"> {
  /** Milliseconds after the trace's first span started. */
  offsetMs: number;
  /** Null while the node still holds the record. */
  durationMs: number | null;
  /** Epoch milliseconds. */
  start: number;
  /** Spans between it and the trace's first span (0 for the root); the waterfall's indent. */
  depth: number;
}

/**
 * The spans several engines hold of one trace, as one list: each span once (an engine answers
 * only for its own), in the order they started, with its offset from the first and its depth
 * under its parent. A parent no engine holds (the caller's, or one that was dropped) counts as
 * the top.
 */
export function mergeTrace(answers: readonly (readonly EngineSpan[])[]): TraceSpan[] {
  const byId = new Map<string, EngineSpan>();
  for (const spans of answers) for (const span of spans) byId.set(span.spanId, span);
  const spans = [...byId.values()].sort((a, b) => a.start - b.start || a.spanId.localeCompare(b.spanId));
  const first = spans[0]?.start ?? 0;
  const depths = new Map<string, number>();
  const depthOf = (span: EngineSpan, seen: number): number => {
    const known = depths.get(span.spanId);
    if (known !== undefined) return known;
    const parent = span.parentSpanId === null ? undefined : byId.get(span.parentSpanId);
    // `seen` bounds a cycle, which a hostile traceparent could make.
    const depth = parent && seen < spans.length ? depthOf(parent, seen + 1) + 1 : 0;
    depths.set(span.spanId, depth);
    return depth;
  };
  return spans.map((span) => {
    const { end, ...rest } = span;
    return {
      ...rest,
      offsetMs: round(span.start - first),
      durationMs: end === null ? null : round(end - span.start),
      depth: depthOf(span, 0),
    };
  });
}

/** To the microsecond: what a browser shows and a test compares. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
