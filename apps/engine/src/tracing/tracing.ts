import type { Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { Sampler } from "@opentelemetry/sdk-trace";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";

/** The engine's tracer, when tracing is on. */
export interface Tracing {
  tracer: Tracer;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

/**
 * Tracing is on when the standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or `…_TRACES_ENDPOINT`) is set:
 * spans go there over OTLP/HTTP (the exporter reads the other standard `OTEL_EXPORTER_OTLP_*`
 * settings itself: headers, timeout). Off otherwise, and then nothing is wrapped or recorded.
 * `OTEL_SERVICE_NAME` names the service (`weir-engine`); `OTEL_BSP_SCHEDULE_DELAY` is how often a
 * batch of spans leaves (1000 ms). The standard `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`
 * choose which traces are recorded (default `parentbased_always_on`: every trace, unless the caller's
 * traceparent says not sampled); an unsampled record still carries its traceparent, costing no span.
 */
export function createTracing(engineId: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  // As the OTLP exporter spec says: the traces endpoint as given, or the base endpoint + /v1/traces.
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const url = traces || (base ? `${base.replace(/\/+$/, "")}/v1/traces` : undefined);
  if (url === undefined) return undefined;
  const delay = Number(env.OTEL_BSP_SCHEDULE_DELAY ?? "1000");
  const provider = new TracerProvider({
    sampler: samplerOf(env.OTEL_TRACES_SAMPLER, env.OTEL_TRACES_SAMPLER_ARG),
    resource: resourceFromAttributes({
      "service.name": env.OTEL_SERVICE_NAME ?? "weir-engine",
      "service.instance.id": engineId,
    }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url }),
        scheduledDelayMillis: Number.isFinite(delay) && delay > 0 ? delay : 1000,
        // Under load, spans beyond this wait are dropped rather than held: tracing never blocks a flow.
        maxQueueSize: 8192,
        maxExportBatchSize: 1024,
      }),
    ],
  });
  return {
    tracer: provider.getTracer("weir-engine"),
    shutdown: () => provider.shutdown(),
  };
}

/** The sampler the standard variables name; an unknown name is refused with the ones there are. */
export function samplerOf(name: string | undefined, arg: string | undefined): Sampler {
  const ratio = arg === undefined || arg.trim() === "" ? 1 : Number(arg);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1)
    throw new Error(`OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1 (got '${String(arg)}')`);
  switch (name?.trim() || "parentbased_always_on") {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(ratio);
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    default:
      throw new Error(
        `OTEL_TRACES_SAMPLER '${String(name)}' is not one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio`,
      );
  }
}
