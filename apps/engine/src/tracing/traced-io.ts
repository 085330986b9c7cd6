import type { PortRecord, WeirRecord } from "@weir/domain";
import { withHeaders } from "@weir/domain";
import type { NodeInput, NodeOutput } from "../transport/edge-transport";
import type { SpanNode, SpanRecord } from "./span-store";
import { TRACEPARENT, incomingTraceparent, parseTraceparent } from "./trace-context";
import type { Tracing } from "./tracing";

/** A node's tracing: the engine's, and what the node's spans say (made once per node). */
export interface NodeTracing {
  tracing: Tracing;
  node: SpanNode;
  /**
   * The span of each traced record a node is working on (taken, not yet acked), for marking it
   * dead-lettered. A Map emptied on ack, not a WeakMap: many weak entries make every GC slower.
   */
  spans: Map<WeirRecord, SpanRecord>;
}

function withHeader(record: WeirRecord, traceparent: string): WeirRecord {
  return withHeaders(record, { ...record.headers, [TRACEPARENT]: traceparent });
}

/** A copy of the record whose traceparent is the span (the record object may be on other edges too). */
function stamped(record: WeirRecord, span: SpanRecord): WeirRecord {
  return withHeader(record, `00-${span.traceId}-${span.spanId}-01`);
}

/**
 * A traceparent whose flags say "sampled" (checked on the text, so an untraced record costs no
 * parse): only such records get spans past their source.
 */
function sampled(header: string | undefined): header is string {
  return header !== undefined && header.length === 55 && header.endsWith("-01");
}

/**
 * The trace and span of a sampled traceparent past a source: the engine wrote it (the source
 * stamps every traced record, and a function's outputs get their input's), so it is cut, not parsed.
 */
function parentOf(header: string): { traceId: string; spanId: string } {
  return { traceId: header.slice(3, 35), spanId: header.slice(36, 52) };
}

/**
 * A source's output: the sampler decides for each record it emits (sampler.ts). A traced record
 * gets a span, the child of its own `traceparent` or of the HTTP request's (ingest), else the root
 * of a new trace, and carries that span on as its traceparent. A record that is not traced passes
 * untouched, costing nothing (or carries its caller's traceparent, flags 00).
 */
export class TracedOutput implements NodeOutput {
  constructor(
    private readonly inner: NodeOutput,
    private readonly traced: NodeTracing,
  ) {}

  /**
   * Stamps a batch. The sampler is asked once, on the first record that starts a trace here, how
   * many of the batch's such records it takes (they are the first ones).
   */
  private stampAll<T>(
    items: readonly T[],
    recordOf: (item: T) => WeirRecord,
    rebuild: (item: T, record: WeirRecord) => T,
  ): T[] {
    const incoming = incomingTraceparent();
    let budget = -1;
    return items.map((item) => {
      const record = recordOf(item);
      const { tracing, node } = this.traced;
      const own = record.headers[TRACEPARENT];
      const parent = parseTraceparent(own ?? incoming);
      let span: SpanRecord;
      if (parent === undefined) {
        if (budget < 0) budget = tracing.sampler.roots(items.length);
        if (budget === 0) return item;
        budget--;
        span = tracing.start(node, undefined);
      } else {
        const traced = tracing.sampler.parentBased ? parent.traceFlags === 1 : tracing.sampler.roots(1) === 1;
        if (!traced) {
          const untraced = `00-${parent.traceId}-${parent.spanId}-00`;
          return own === untraced ? item : rebuild(item, withHeader(record, untraced));
        }
        span = tracing.start(node, parent);
      }
      // A source's span is the moment it emits the record.
      tracing.end(span);
      return rebuild(item, stamped(record, span));
    });
  }

  send(outputs: readonly PortRecord[]): Promise<void> {
    return this.inner.send(
      this.stampAll(
        outputs,
        (output) => output.record,
        (output, record) => ({ port: output.port, record }),
      ),
    );
  }

  sendToPort(port: string, records: readonly WeirRecord[]): Promise<void> {
    return this.inner.sendToPort(
      port,
      this.stampAll(
        records,
        (record) => record,
        (_, record) => record,
      ),
    );
  }

  close(): void {
    this.inner.close();
  }
}

/**
 * A function's or sink's input: a span per traced record from when the node takes it to when it
 * acks it (outputs delivered, written, or dead-lettered), the child of the span that sent it. The
 * node sees the record with its own span as traceparent, so its outputs (which the engine stamps
 * with the input's traceparent) are that span's children. Records taken together share a batch
 * id. A batch with no traced record is handed on as it is.
 */
export class TracedInput implements NodeInput {
  private readonly open: ({ spans: SpanRecord[]; records: WeirRecord[] } | undefined)[] = [];
  private batches = 0;

  constructor(
    private readonly inner: NodeInput,
    private readonly traced: NodeTracing,
  ) {}

  async take(max: number): Promise<WeirRecord[] | null> {
    const batch = await this.inner.take(max);
    if (batch === null) return null;
    const batchId = ++this.batches;
    let taken: { spans: SpanRecord[]; records: WeirRecord[] } | undefined;
    // Copied before the first change: the batch may still be the input's own.
    let out: WeirRecord[] | undefined;
    for (let i = 0; i < batch.length; i++) {
      const record = batch[i] as WeirRecord;
      const header = record.headers[TRACEPARENT];
      if (!sampled(header)) continue;
      const span = this.traced.tracing.start(this.traced.node, parentOf(header));
      span.batch = batchId;
      span.batchSize = batch.length;
      const copy = stamped(record, span);
      taken ??= { spans: [], records: [] };
      taken.spans.push(span);
      taken.records.push(copy);
      this.traced.spans.set(copy, span);
      (out ??= batch.slice())[i] = copy;
    }
    this.open.push(taken);
    return out ?? batch;
  }

  async ack(): Promise<void> {
    await this.inner.ack();
    const taken = this.open.shift();
    if (!taken) return;
    for (const span of taken.spans) this.traced.tracing.end(span);
    for (const record of taken.records) this.traced.spans.delete(record);
  }
}

/** Marks a record's span: it went to the dead letters, after `attempts` tries, for `error`. */
export function markDeadLettered(
  traced: NodeTracing,
  record: WeirRecord,
  error: string,
  attempts: number,
): void {
  const span = traced.spans.get(record);
  if (!span) return;
  span.error = error;
  span.deadLettered = true;
  span.attempts = attempts;
}
