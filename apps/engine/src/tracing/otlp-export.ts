import type { Attributes, HrTime } from "@opentelemetry/api";
import { SpanKind, SpanStatusCode, TraceFlags } from "@opentelemetry/api";
import type { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import type { Resource } from "@opentelemetry/resources";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import type { SpanRecord } from "./span-store";

/** Spans waiting to leave past this many are dropped, not held: tracing never blocks a flow. */
const MAX_QUEUE = 8192;
const MAX_BATCH = 1024;

function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

const SCOPE = { name: "weir-engine" };

/** One of the engine's own span records as the OpenTelemetry SDK's exporters take it. */
export function toReadableSpan(span: SpanRecord, resource: Resource): ReadableSpan {
  const { node } = span;
  const attributes: Attributes = {
    "weir.flow.id": node.flowId,
    "weir.flow.version": node.flowVersion,
    "weir.deployment.id": node.deploymentId,
    "weir.node.id": node.nodeId,
    "weir.node.type": node.nodeType,
  };
  if (span.batch !== undefined) attributes["weir.batch"] = span.batch;
  if (span.batchSize !== undefined) attributes["weir.batch.size"] = span.batchSize;
  if (span.deadLettered) attributes["weir.dead_lettered"] = true;
  if (span.attempts !== undefined) attributes["weir.attempts"] = span.attempts;
  const end = span.end ?? span.start;
  return {
    name: node.name,
    kind: node.kind === "source" ? SpanKind.PRODUCER : SpanKind.CONSUMER,
    spanContext: () => ({ traceId: span.traceId, spanId: span.spanId, traceFlags: TraceFlags.SAMPLED }),
    parentSpanContext:
      span.parentSpanId === undefined
        ? undefined
        : {
            traceId: span.traceId,
            spanId: span.parentSpanId,
            traceFlags: TraceFlags.SAMPLED,
            isRemote: true,
          },
    startTime: hrTime(span.start),
    endTime: hrTime(end),
    duration: hrTime(end - span.start),
    status:
      span.error === undefined
        ? { code: SpanStatusCode.UNSET }
        : { code: SpanStatusCode.ERROR, message: span.error },
    attributes,
    links: [],
    events: span.deadLettered
      ? [{ name: "dead-lettered", time: hrTime(end), attributes: { "exception.message": span.error ?? "" } }]
      : [],
    ended: true,
    resource,
    instrumentationScope: SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/**
 * Sends ended spans over OTLP/HTTP every `delayMs` (at most 1,024 a request), converting them
 * only then; the exporter reads the other standard `OTEL_EXPORTER_OTLP_*` settings itself.
 */
export class OtlpExport {
  private queue: SpanRecord[] = [];
  /**
   * The SDK's exporter and resource load with the first batch to send, not with the engine: they
   * are half a second of every start, and most engines export nothing.
   */
  private sdk: Promise<{ exporter: OTLPTraceExporter; resource: Resource }> | undefined;
  private readonly timer: NodeJS.Timeout;
  private sending: Promise<void> = Promise.resolve();
  dropped = 0;

  constructor(
    private readonly url: string,
    private readonly attributes: Record<string, string>,
    delayMs: number,
  ) {
    this.timer = setInterval(() => void this.flush(), delayMs);
    this.timer.unref();
  }

  ended(span: SpanRecord): void {
    if (this.queue.length >= MAX_QUEUE) this.dropped++;
    else this.queue.push(span);
  }

  private loadSdk(): Promise<{ exporter: OTLPTraceExporter; resource: Resource }> {
    this.sdk ??= Promise.all([
      import("@opentelemetry/exporter-trace-otlp-http"),
      import("@opentelemetry/resources"),
    ]).then(([{ OTLPTraceExporter }, { resourceFromAttributes }]) => ({
      exporter: new OTLPTraceExporter({ url: this.url }),
      resource: resourceFromAttributes(this.attributes),
    }));
    return this.sdk;
  }

  /** Sends what is queued (after any send under way). */
  flush(): Promise<void> {
    this.sending = this.sending.then(async () => {
      if (this.queue.length === 0) return;
      const { exporter, resource } = await this.loadSdk();
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH).map((span) => toReadableSpan(span, resource));
        await new Promise<void>((resolve) => {
          exporter.export(batch, () => {
            resolve();
          });
        });
      }
    });
    // A failed load (a broken install) costs the spans, never the engine: tracing never blocks a flow.
    this.sending = this.sending.catch(() => {
      this.dropped += this.queue.length;
      this.queue = [];
    });
    return this.sending;
  }

  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    if (this.sdk !== undefined) await (await this.sdk).exporter.shutdown();
  }
}
