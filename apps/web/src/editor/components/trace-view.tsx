"use client";
// A record's trace, opened from the Logs or Dead letters panel: its path through the flow as a
// small waterfall, one row per node that handled it (name, start after the first span, time
// taken, what became of it), from the spans the engines keep in memory (trace.get).
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { api, errorMessage } from "~/lib/trpc";
import { barOf, formatMs, tracedNodes } from "../trace";
import { useMarkTraced } from "./trace-highlight";
import "./trace-view.css";

interface Props {
  flowId: string;
  traceId: string;
  onClose: () => void;
}

type Span = Awaited<ReturnType<typeof api.trace.get.query>>["spans"][number];

function outcomeOf(span: Span): { text: string; tone: "ok" | "bad" | "open" } {
  if (span.deadLettered)
    return {
      text: `dead-lettered after ${span.attempts ?? 1} attempt${span.attempts === 1 ? "" : "s"}: ${span.error ?? ""}`,
      tone: "bad",
    };
  if (span.error !== null) return { text: `error: ${span.error}`, tone: "bad" };
  if (span.durationMs === null) return { text: "in progress", tone: "open" };
  return { text: "ok", tone: "ok" };
}

export function TraceView({ flowId, traceId, onClose }: Props) {
  const trace = useQuery({
    queryKey: ["flow", flowId, "trace", traceId],
    queryFn: () => api.trace.get.query({ flowId, traceId }),
    // Spans of a record still in the flow are still coming: look again while any is open.
    refetchInterval: (query) =>
      query.state.data?.spans.some((span) => span.durationMs === null) === true ? 1000 : false,
  });
  const spans = useMemo(() => trace.data?.spans ?? [], [trace.data]);
  // The canvas marks the nodes the trace passed through while this view is open.
  const markTraced = useMarkTraced();
  useEffect(() => {
    markTraced(tracedNodes(spans, flowId));
  }, [markTraced, spans, flowId]);
  useEffect(
    () => () => {
      markTraced(null);
    },
    [markTraced],
  );
  const totalMs = Math.max(0, ...spans.map((span) => span.offsetMs + (span.durationMs ?? 0)));
  return (
    <section className="trace-view" data-testid="trace-view" aria-label={`Trace ${traceId}`}>
      <header className="trace-head">
        <strong>Trace</strong> <code data-testid="trace-id">{traceId}</code>
        {spans.length > 0 && (
          <span className="muted small" data-testid="trace-total">
            {spans.length} span{spans.length === 1 ? "" : "s"}, {formatMs(totalMs)}
          </span>
        )}
        <button type="button" className="btn btn-small" data-testid="trace-close" onClick={onClose}>
          Close
        </button>
      </header>
      {trace.isPending ? (
        <div className="panel-state" data-testid="trace-loading">
          Reading the trace from the engines…
        </div>
      ) : trace.isError ? (
        <div className="panel-error" role="alert" data-testid="trace-error">
          Could not read the trace: {errorMessage(trace.error)}
        </div>
      ) : spans.length === 0 ? (
        <div className="panel-state" data-testid="trace-empty">
          The engines keep no spans of this trace: they keep their last 2,000 traces in memory, and a restart
          forgets them.
          {trace.data.unreachable.length > 0
            ? ` ${trace.data.unreachable.length} engine(s) did not answer.`
            : ""}
        </div>
      ) : (
        <ol className="trace-spans">
          {spans.map((span) => {
            const outcome = outcomeOf(span);
            const bar = barOf(span, totalMs);
            return (
              <li
                key={span.spanId}
                className={`trace-span trace-${outcome.tone}`}
                data-testid="trace-span"
                data-node={span.nodeId}
                data-dead-lettered={span.deadLettered ? "true" : undefined}
              >
                <span
                  className="trace-node"
                  style={{ paddingLeft: `${span.depth * 14}px` }}
                  data-testid="trace-span-node"
                >
                  {span.name}
                  {span.flowId !== flowId && <span className="muted small"> (another flow)</span>}
                </span>
                <span className="trace-offset" data-testid="trace-span-offset">
                  +{formatMs(span.offsetMs)}
                </span>
                <span className="trace-duration" data-testid="trace-span-duration">
                  {span.durationMs === null ? "…" : formatMs(span.durationMs)}
                </span>
                <span className="trace-track" aria-hidden="true">
                  <span className="trace-bar" style={{ left: `${bar.left}%`, width: `${bar.width}%` }} />
                </span>
                <span className="trace-outcome" data-testid="trace-span-status">
                  {outcome.text}
                  {span.batchSize !== null && span.batchSize > 1 ? (
                    <span className="muted small"> · batch of {span.batchSize}</span>
                  ) : null}
                </span>
              </li>
            );
          })}
        </ol>
      )}
      {trace.data !== undefined && trace.data.unreachable.length > 0 && spans.length > 0 && (
        <div className="muted small" data-testid="trace-unreachable">
          {trace.data.unreachable.length} engine(s) did not answer: their spans may be missing.
        </div>
      )}
    </section>
  );
}
