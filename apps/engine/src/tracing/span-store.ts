/** What a span says about the node that made it (one object per node, shared by its spans). */
export interface SpanNode {
  flowId: string;
  flowVersion: number;
  deploymentId: string;
  nodeId: string;
  nodeType: string;
  kind: "source" | "function" | "sink";
  /** `<kind> <node id>`, the span's name. */
  name: string;
}

/**
 * One node's work on one record: a plain object, cheap to make; converted to an OpenTelemetry
 * span only when it is exported. `end` is undefined while the node still holds the record.
 */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  node: SpanNode;
  /** Epoch milliseconds (fractional). */
  start: number;
  end: number | undefined;
  /** The batch the record was taken in (function and sink), and its size. */
  batch: number | undefined;
  batchSize: number | undefined;
  error: string | undefined;
  deadLettered: boolean;
  attempts: number | undefined;
}

export interface SpanStoreLimits {
  /** Traces kept; the oldest goes first. */
  maxTraces: number;
  /** Spans kept over all traces; past it, the oldest traces go. */
  maxSpans: number;
}

/**
 * The engine's recent traces, in memory and bounded (so the editor can show a record's trace
 * without an external collector): traces in the order they started, the oldest dropped whole
 * when there are more than `maxTraces` or their spans pass `maxSpans`. A trace that is still
 * growing (its record is on a later node) is not moved up: it is as old as its first span.
 */
export class SpanStore {
  private readonly traces = new Map<string, SpanRecord[]>();
  /**
   * Trace ids oldest first, from `head` on (a queue of our own: taking a Map's first key walks
   * over every entry deleted before it, which made each eviction cost microseconds).
   */
  private order: string[] = [];
  private head = 0;
  private spans = 0;

  constructor(private readonly limits: SpanStoreLimits) {
    if (!(limits.maxTraces >= 1) || !(limits.maxSpans >= 1))
      throw new Error(
        `span store limits must be at least 1 (got ${limits.maxTraces} traces, ${limits.maxSpans} spans)`,
      );
  }

  add(span: SpanRecord): void {
    const trace = this.traces.get(span.traceId);
    if (trace) trace.push(span);
    else {
      this.traces.set(span.traceId, [span]);
      this.order.push(span.traceId);
    }
    this.spans++;
    while (this.traces.size > this.limits.maxTraces || this.spans > this.limits.maxSpans) {
      const oldest = this.order[this.head++];
      if (oldest === undefined) break;
      this.spans -= this.traces.get(oldest)?.length ?? 0;
      this.traces.delete(oldest);
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  /** The spans of one trace this engine still holds, in the order they started (empty if none). */
  trace(traceId: string): readonly SpanRecord[] {
    return this.traces.get(traceId) ?? [];
  }

  get size(): { traces: number; spans: number } {
    return { traces: this.traces.size, spans: this.spans };
  }
}
