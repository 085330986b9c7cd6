import { newSpanId, newTraceId } from "./ids";
import { OtlpExport } from "./otlp-export";
import type { Sampler } from "./sampler";
import { samplerOf } from "./sampler";
import type { SpanNode, SpanRecord } from "./span-store";
import { SpanStore } from "./span-store";

export { samplerOf } from "./sampler";

/** Recent traces an engine keeps for the editor, and their spans over all of them. */
export const STORE_LIMITS = { maxTraces: 2000, maxSpans: 50_000 };

/** The engine's tracing: which records are traced, their spans kept here and exported over OTLP if set. */
export interface Tracing {
  sampler: Sampler;
  store: SpanStore;
  /** A new span of `node`, child of `parent` (same trace) or the root of a new trace; kept at once. */
  start(node: SpanNode, parent: { traceId: string; spanId: string } | undefined): SpanRecord;
  /** The node is done with the span's record: it leaves for the collector, if there is one. */
  end(span: SpanRecord): void;
  /** Exports what is waiting and stops. */
  shutdown(): Promise<void>;
}

/**
 * Tracing is on unless the standard `OTEL_SDK_DISABLED=true` turns it off (then nothing is
 * wrapped). Sampled records' spans are kept in memory, bounded (`STORE_LIMITS`), for the editor's
 * trace view, and sent over OTLP/HTTP when the standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `…_TRACES_ENDPOINT`) is set. `OTEL_TRACES_SAMPLER` / `…_ARG` choose the records (sampler.ts;
 * unset: parent-based, at most `WEIR_TRACES_PER_SECOND`, 10, new traces a second).
 * `OTEL_SERVICE_NAME` names the service (`weir-engine`); `OTEL_BSP_SCHEDULE_DELAY` is how often a
 * batch of spans leaves (1000 ms).
 */
export function createTracing(engineId: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined;
  const sampler = samplerOf(env.OTEL_TRACES_SAMPLER, env.OTEL_TRACES_SAMPLER_ARG, env.WEIR_TRACES_PER_SECOND);
  // As the OTLP exporter spec says: the traces endpoint as given, or the base endpoint + /v1/traces.
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const url = traces || (base ? `${base.replace(/\/+$/, "")}/v1/traces` : undefined);
  const delay = Number(env.OTEL_BSP_SCHEDULE_DELAY ?? "1000");
  const exporter =
    url === undefined
      ? undefined
      : new OtlpExport(
          url,
          { "service.name": env.OTEL_SERVICE_NAME ?? "weir-engine", "service.instance.id": engineId },
          Number.isFinite(delay) && delay > 0 ? delay : 1000,
        );
  const store = new SpanStore(STORE_LIMITS);
  return {
    sampler,
    store,
    start(node, parent) {
      const span: SpanRecord = {
        traceId: parent?.traceId ?? newTraceId(),
        spanId: newSpanId(),
        parentSpanId: parent?.spanId,
        node,
        start: performance.timeOrigin + performance.now(),
        end: undefined,
        batch: undefined,
        batchSize: undefined,
        error: undefined,
        deadLettered: false,
        attempts: undefined,
      };
      store.add(span);
      return span;
    },
    end(span) {
      span.end = performance.timeOrigin + performance.now();
      exporter?.ended(span);
    },
    shutdown: () => exporter?.shutdown() ?? Promise.resolve(),
  };
}
