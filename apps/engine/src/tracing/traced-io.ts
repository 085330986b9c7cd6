import type { Attributes, Span, Tracer } from "@opentelemetry/api";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { PortRecord, WeirRecord } from "@weir/domain";
import type { NodeInput, NodeOutput } from "../transport/edge-transport";
import { TRACEPARENT, formatTraceparent, incomingTraceparent, parseTraceparent } from "./trace-context";

/** Where a node's spans come from: the engine's tracer and what every span of the node says. */
export interface NodeTracing {
  tracer: Tracer;
  name: string;
  attributes: Attributes;
  /** The span of each record a node is working on, for marking it dead-lettered. */
  spans: WeakMap<WeirRecord, Span>;
}

function parentOf(header: string | undefined) {
  const parent = parseTraceparent(header);
  return parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
}

/**
 * A traceparent whose flags say "not sampled": the record passes through untouched, no span is
 * made, and its descendants keep that decision (checked on the text, so it costs no parse).
 */
function unsampled(header: string | undefined): boolean {
  return header !== undefined && header.length === 55 && header.endsWith("-00");
}

/** A copy of the record whose traceparent is the span (the record object may be on other edges too). */
function stamped(record: WeirRecord, span: Span): WeirRecord {
  return withHeader(record, formatTraceparent(span.spanContext()));
}

function withHeader(record: WeirRecord, traceparent: string | undefined): WeirRecord {
  if (traceparent === undefined) return record;
  return { ...record, headers: { ...record.headers, [TRACEPARENT]: traceparent } };
}

/**
 * A source's output: each record it emits gets a span, the child of the record's own
 * `traceparent` or of the HTTP request's (ingest), else the root of a new trace; the record
 * carries that span on as its traceparent.
 */
export class TracedOutput implements NodeOutput {
  constructor(
    private readonly inner: NodeOutput,
    private readonly node: NodeTracing,
  ) {}

  private stamp(record: WeirRecord): WeirRecord {
    const header = record.headers[TRACEPARENT] ?? incomingTraceparent();
    if (unsampled(header))
      return header === record.headers[TRACEPARENT] ? record : withHeader(record, header);
    const parent = parentOf(header);
    const span = this.node.tracer.startSpan(
      this.node.name,
      { kind: SpanKind.PRODUCER, attributes: this.node.attributes },
      parent,
    );
    span.end();
    return stamped(record, span);
  }

  send(outputs: readonly PortRecord[]): Promise<void> {
    return this.inner.send(outputs.map(({ port, record }) => ({ port, record: this.stamp(record) })));
  }

  sendToPort(port: string, records: readonly WeirRecord[]): Promise<void> {
    return this.inner.sendToPort(
      port,
      records.map((record) => this.stamp(record)),
    );
  }

  close(): void {
    this.inner.close();
  }
}

/**
 * A function's or sink's input: a span per record from when the node takes it to when it acks it
 * (outputs delivered, written, or dead-lettered), the child of the span that sent it. The node
 * sees the record with its own span as traceparent, so its outputs (which the engine stamps with
 * the input's traceparent) are that span's children. Records taken together share a batch id.
 */
export class TracedInput implements NodeInput {
  private readonly open: Span[][] = [];
  private batches = 0;

  constructor(
    private readonly inner: NodeInput,
    private readonly node: NodeTracing,
  ) {}

  async take(max: number): Promise<WeirRecord[] | null> {
    const batch = await this.inner.take(max);
    if (batch === null) return null;
    const batchId = ++this.batches;
    const spans: Span[] = [];
    // One options object per batch: the span copies the attributes it is given.
    const options = {
      kind: SpanKind.CONSUMER,
      attributes: { ...this.node.attributes, "weir.batch": batchId, "weir.batch.size": batch.length },
    };
    const records = batch.map((record) => {
      if (unsampled(record.headers[TRACEPARENT])) return record;
      const span = this.node.tracer.startSpan(this.node.name, options, parentOf(record.headers[TRACEPARENT]));
      spans.push(span);
      const copy = stamped(record, span);
      this.node.spans.set(copy, span);
      return copy;
    });
    this.open.push(spans);
    return records;
  }

  async ack(): Promise<void> {
    await this.inner.ack();
    for (const span of this.open.shift() ?? []) span.end();
  }
}

/** Marks a record's span: it went to the dead letters, after `attempts` tries, for `error`. */
export function markDeadLettered(
  node: NodeTracing,
  record: WeirRecord,
  error: string,
  attempts: number,
): void {
  const span = node.spans.get(record);
  if (!span) return;
  span.setStatus({ code: SpanStatusCode.ERROR, message: error });
  span.setAttributes({ "weir.dead_lettered": true, "weir.attempts": attempts });
  span.addEvent("dead-lettered", { "exception.message": error });
}
