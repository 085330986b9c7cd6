"use client";
// Tails the selected node's log while the panel is open: a function's ctx.log lines or the
// records a log sink kept, newest at the bottom, refreshed every second. A record that was traced
// opens its trace (loaded when first opened).
import type { FlowNode } from "@weir/domain";
import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useEffect, useRef, useState } from "react";
import { keys } from "~/lib/query-keys";
import { api, errorMessage } from "~/lib/trpc";
import { traceIdOf } from "../trace";
import { valueText } from "../value-text";

const TraceView = dynamic(() => import("./trace-view").then((m) => m.TraceView), { ssr: false });

interface Line {
  id: number;
  at: string;
  level: string;
  text: string;
  /** The record's trace, when it was traced: a sink's record, or the record a function was processing when it logged the line. */
  traceId?: string | undefined;
}

/** A sink's record as a person reads it: its value (bytes as their size and a preview), with the key in front when it has one. */
function recordText(record: unknown): string {
  if (typeof record !== "object" || record === null || !("value" in record)) return valueText(record);
  const { key, value } = record as { key?: unknown; value: unknown };
  const prefix = typeof key === "string" ? `[${key}] ` : "";
  return `${prefix}${valueText(value)}`;
}

async function readLines(flowId: string, node: FlowNode): Promise<Line[]> {
  if (node.kind === "function") {
    const rows = await api.logs.function.query({ flowId, nodeId: node.id, limit: 300 });
    return rows.map((r) => ({
      id: r.id,
      at: r.createdAt,
      level: r.level,
      text: r.message,
      traceId: r.traceId ?? undefined,
    }));
  }
  const rows = await api.logs.read.query({ flowId, nodeId: node.id, limit: 300 });
  return rows.map((r) => ({
    id: r.id,
    at: r.createdAt,
    level: "record",
    text: recordText(r.record),
    traceId: traceIdOf(r.record),
  }));
}

interface Props {
  flowId: string;
  node: FlowNode | undefined;
  /** Logs are read for the saved flow, so a node added since the last save has none yet. */
  saved: boolean;
}

export function LogsPanel({ flowId, node, saved }: Props) {
  const label = node?.name !== undefined && node.name !== "" ? node.name : (node?.id ?? "");
  const readable = node !== undefined && saved && (node.kind === "function" || node.type === "log");
  const logs = useQuery({
    queryKey: keys.logs(flowId, node?.id ?? ""),
    queryFn: () => readLines(flowId, node as FlowNode),
    enabled: readable,
    refetchInterval: 1000,
  });
  const [openTrace, setOpenTrace] = useState<string | undefined>(undefined);
  const bottom = useRef<HTMLDivElement>(null);
  const count = logs.data?.length ?? 0;
  const lastId = logs.data?.at(-1)?.id;
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: "end" });
  }, [count, lastId]);

  if (!node)
    return (
      <div className="panel-state" data-testid="logs-panel">
        <span data-testid="logs-no-node">Select a function or a log sink to tail its log.</span>
      </div>
    );
  if (!saved)
    return (
      <div className="panel-state" data-testid="logs-panel">
        <span data-testid="logs-no-node">Save the flow first: {label} is not in a saved version yet.</span>
      </div>
    );
  if (!readable)
    return (
      <div className="panel-state" data-testid="logs-panel">
        <span data-testid="logs-no-node">
          {label} is a {node.type} {node.kind}: only function nodes (ctx.log) and log sinks keep logs. See its
          counters on the canvas.
        </span>
      </div>
    );
  return (
    <div className="logs-panel" data-testid="logs-panel">
      {openTrace !== undefined && (
        <TraceView
          flowId={flowId}
          traceId={openTrace}
          onClose={() => {
            setOpenTrace(undefined);
          }}
        />
      )}
      {logs.isPending ? (
        <div className="panel-state" data-testid="logs-loading">
          Loading the log of {label}…
        </div>
      ) : logs.isError ? (
        <div className="panel-error" data-testid="logs-error" role="alert">
          Could not read the log: {errorMessage(logs.error)}
        </div>
      ) : logs.data.length === 0 ? (
        <div className="panel-state" data-testid="logs-empty">
          Nothing logged by {label} yet{node.kind === "function" ? " (ctx.log, console)" : ""}. Deploy the
          flow and lines appear here as they come.
        </div>
      ) : (
        <div className="log-lines">
          <div className="log-of muted small" data-testid="logs-node-label">
            {node.kind === "function" ? "Log of" : "Records kept by"} {label}
          </div>
          {logs.data.map((line) => (
            <div key={line.id} className={`log-line log-${line.level}`} data-testid="logs-line">
              <time className="log-time">{line.at.slice(11, 23)}</time>
              <span className="log-level">{line.level}</span>
              <span className="log-text">{line.text}</span>
              {line.traceId !== undefined && (
                <button
                  type="button"
                  className="btn btn-small trace-link"
                  data-testid="trace-open-log-line"
                  title="Open this record's trace: its path through the flow with each node's time"
                  onClick={() => {
                    setOpenTrace(line.traceId);
                  }}
                >
                  Trace
                </button>
              )}
            </div>
          ))}
          <div ref={bottom} />
        </div>
      )}
    </div>
  );
}
