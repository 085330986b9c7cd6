import { AsyncLocalStorage } from "node:async_hooks";
import type { SpanContext } from "@opentelemetry/api";
import { TraceFlags } from "@opentelemetry/api";

/** The W3C trace-context header a record carries (https://www.w3.org/TR/trace-context/). */
export const TRACEPARENT = "traceparent";

const TRACEPARENT_FORMAT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** A traceparent header as a remote span context, or undefined when it is not a valid one. */
export function parseTraceparent(header: string | undefined): SpanContext | undefined {
  if (header === undefined) return undefined;
  const match = TRACEPARENT_FORMAT.exec(header.trim().toLowerCase());
  if (!match) return undefined;
  const [, version = "", traceId = "", spanId = "", flags = ""] = match;
  // Version ff is forbidden; a version-00 header has nothing after the flags; all-zero ids are invalid.
  if (version === "ff" || (version === "00" && match[5] !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
}

/** The trace id of a traceparent whose flags say "sampled"; undefined otherwise. */
export function sampledTraceId(header: string | undefined): string | undefined {
  const context = parseTraceparent(header);
  return context !== undefined && (context.traceFlags & TraceFlags.SAMPLED) !== 0
    ? context.traceId
    : undefined;
}

export function formatTraceparent(context: SpanContext): string {
  return `00-${context.traceId}-${context.spanId}-${(context.traceFlags & TraceFlags.SAMPLED) === 0 ? "00" : "01"}`;
}

/**
 * The `traceparent` of the HTTP request being handled (ingest), for the source's records: an
 * ingest handler emits inside this context, so the records it emits continue the caller's trace
 * without the connector having to pass headers along.
 */
const incoming = new AsyncLocalStorage<string>();

export function withIncomingTrace<T>(traceparent: string | string[] | undefined, run: () => T): T {
  return typeof traceparent === "string" ? incoming.run(traceparent, run) : run();
}

export function incomingTraceparent(): string | undefined {
  return incoming.getStore();
}
