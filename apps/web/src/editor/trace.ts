// What the editor reads of a record's trace: the W3C `traceparent` header a record carries (log
// sink records and dead letters keep it), and how a span is drawn in the waterfall.

/**
 * The trace id of a record whose `traceparent` says it was traced (flags 01); undefined for a
 * record that was not sampled or has no header (then the engine kept no spans for it).
 */
export function traceIdOf(record: unknown): string | undefined {
  if (typeof record !== "object" || record === null || !("headers" in record)) return undefined;
  const headers = record.headers;
  if (typeof headers !== "object" || headers === null) return undefined;
  const header = (headers as Record<string, unknown>).traceparent;
  if (typeof header !== "string") return undefined;
  const match = /^00-([0-9a-f]{32})-[0-9a-f]{16}-01$/.exec(header);
  return match?.[1];
}

/** A span's bar in the waterfall, as percentages of the trace's length (at least a sliver, so it shows). */
export function barOf(
  span: { offsetMs: number; durationMs: number | null },
  totalMs: number,
): { left: number; width: number } {
  if (totalMs <= 0) return { left: 0, width: 100 };
  const left = Math.min(100, (span.offsetMs / totalMs) * 100);
  const width = Math.max(
    0.5,
    Math.min(100 - left, ((span.durationMs ?? totalMs - span.offsetMs) / totalMs) * 100),
  );
  return { left, width };
}

/** Milliseconds as a person reads them: 0.42 ms, 12.3 ms, 1.25 s. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** How a node handled a trace's record, as the canvas marks it while the trace is open. */
export type TracedTone = "ok" | "bad";

/**
 * The nodes of this flow a trace passed through, each "bad" when one of its spans failed or
 * dead-lettered the record, else "ok" (spans of other flows are left out: they are not on this canvas).
 */
export function tracedNodes(
  spans: readonly { flowId: string; nodeId: string; error: string | null; deadLettered: boolean }[],
  flowId: string,
): Map<string, TracedTone> {
  const nodes = new Map<string, TracedTone>();
  for (const span of spans) {
    if (span.flowId !== flowId) continue;
    const bad = span.error !== null || span.deadLettered;
    if (bad || !nodes.has(span.nodeId))
      nodes.set(span.nodeId, bad ? "bad" : (nodes.get(span.nodeId) ?? "ok"));
  }
  return nodes;
}
