"use client";
// Edge peek (issue #11 B): the last records that crossed the selected edge of the running flow,
// newest first, and the edge's records per second, refreshed every second. Each refresh renews
// this panel's lease on the edge; closing the panel (or selecting something else) ends it, and
// the engines stop sampling the edge when nobody else watches it. A hidden tab stops refreshing,
// so its lease runs out within 10 s.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { RouterOutputs } from "~/lib/trpc";
import { api, errorMessage } from "~/lib/trpc";
import { isBytesJson } from "@weir/domain";
import { formatCount, formatRate } from "../live";
import { valueText } from "../value-text";

type Sample = RouterOutputs["peek"]["edge"]["samples"][number];

interface Props {
  flowId: string;
  edgeId: string;
  /** What the edge joins, as the canvas names its ends. */
  label: string;
  onClose: () => void;
}

/** The value as indented JSON (bytes as their size and first bytes), or its cut text as it came. */
function shown(sample: Sample): string {
  try {
    const value: unknown = JSON.parse(sample.value);
    // A byte sample is never cut mid-text: it holds the first bytes and the whole size.
    if (isBytesJson(value) || !sample.truncated) return valueText(value, 2);
  } catch {
    // Cut JSON text: shown as it came.
  }
  return sample.truncated ? `${sample.value}…` : sample.value;
}

function newWatcher(): string {
  return crypto.randomUUID();
}

export function EdgePeekPanel({ flowId, edgeId, label, onClose }: Props) {
  const [watcher] = useState(newWatcher);
  const peek = useQuery({
    queryKey: ["flow", flowId, "peek", edgeId, watcher],
    queryFn: () => api.peek.edge.query({ flowId, edgeId, watcher }),
    refetchInterval: 1000,
    gcTime: 0,
  });
  useEffect(
    () => () => {
      // Sampling stops now rather than when the lease runs out.
      void api.peek.stop.mutate({ flowId, edgeId, watcher }).catch(() => undefined);
    },
    [flowId, edgeId, watcher],
  );
  const data = peek.data;
  return (
    <section className="edge-peek" data-testid="edge-peek" aria-label={`Edge peek: ${label}`}>
      <header className="edge-peek-head">
        <div>
          <strong>Edge peek</strong>
          <div className="muted small">{label}</div>
        </div>
        <button type="button" className="btn btn-small" data-testid="edge-peek-close" onClick={onClose}>
          Close
        </button>
      </header>
      <div className="edge-peek-figures" aria-live="polite">
        <span>
          <span data-testid="edge-peek-rate">{formatRate(data?.perSec ?? null)}</span> on this edge
        </span>
        <span className="muted small">
          <span data-testid="edge-peek-total">{formatCount(data?.total ?? 0)}</span> records since you opened
          it
        </span>
      </div>
      {peek.error ? (
        <p className="edge-peek-note" role="alert" data-testid="edge-peek-error">
          {errorMessage(peek.error)}
        </p>
      ) : data === undefined ? (
        <p className="edge-peek-note muted">Starting…</p>
      ) : !data.watching ? (
        <p className="edge-peek-note muted" data-testid="edge-peek-idle">
          The flow is not running, so nothing crosses this edge.
        </p>
      ) : !data.produced ? (
        <p className="edge-peek-note muted" data-testid="edge-peek-unsampled">
          No engine runs the node that sends along this edge yet.
        </p>
      ) : data.samples.length === 0 ? (
        <p className="edge-peek-note muted" data-testid="edge-peek-empty">
          Watching: no record has crossed since you opened it.
        </p>
      ) : null}
      {data?.unreachable.length ? (
        <p className="edge-peek-note small" data-testid="edge-peek-unreachable">
          Not shown, an engine did not answer: {data.unreachable.join("; ")}
        </p>
      ) : null}
      <ol className="edge-peek-samples" data-testid="edge-peek-samples">
        {(data?.samples ?? []).map((sample, i) => (
          <li key={`${String(sample.at)}-${String(i)}`} data-testid="edge-peek-sample">
            <div className="edge-peek-meta muted small">
              {new Date(sample.at).toLocaleTimeString()}
              {sample.key !== null ? (
                <>
                  {" · key "}
                  <code data-testid="edge-peek-key">{sample.key}</code>
                </>
              ) : null}
              {sample.truncated ? " · cut at 2 KB" : null}
            </div>
            <pre data-testid="edge-peek-value">{shown(sample)}</pre>
          </li>
        ))}
      </ol>
    </section>
  );
}
