import type { Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

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
 * batch of spans leaves (1000 ms).
 */
export function createTracing(engineId: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint === undefined || endpoint.trim() === "") return undefined;
  const delay = Number(env.OTEL_BSP_SCHEDULE_DELAY ?? "1000");
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      "service.name": env.OTEL_SERVICE_NAME ?? "weir-engine",
      "service.instance.id": engineId,
    }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter(),
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
