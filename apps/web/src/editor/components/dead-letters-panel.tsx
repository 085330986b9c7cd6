"use client";
// Records the flow's nodes gave up on, with their error; select some and replay them into their
// node. A traced one opens its trace (loaded when first opened).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useState } from "react";
import { useToast } from "~/components/toasts";
import { keys } from "~/lib/query-keys";
import { api, errorMessage } from "~/lib/trpc";
import { useSession } from "~/auth/session";
import { traceIdOf } from "../trace";
import { valueText } from "../value-text";

const TraceView = dynamic(() => import("./trace-view").then((m) => m.TraceView), { ssr: false });

function statusOf(letter: { replayRequestedAt: string | null; replayedAt: string | null }): string {
  if (letter.replayedAt) return "replayed";
  if (letter.replayRequestedAt) return "replay requested";
  return "pending";
}

export function DeadLettersPanel({ flowId }: { flowId: string }) {
  const blocked = useSession().whyNot("editor", "Replaying dead letters");
  const toast = useToast();
  const queryClient = useQueryClient();
  const letters = useQuery({
    queryKey: keys.deadLetters(flowId),
    queryFn: () => api.deadLetters.list.query({ flowId, limit: 200 }),
    refetchInterval: 2000,
  });
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [openTrace, setOpenTrace] = useState<string | undefined>(undefined);
  const replay = useMutation({
    mutationFn: (ids: number[]) => api.deadLetters.replay.mutate({ flowId, ids }),
    onSuccess: async ({ requested }) => {
      toast.success(
        `Replay requested for ${requested} record${requested === 1 ? "" : "s"}; the running flow picks them up.`,
      );
      setSelected(new Set());
      await queryClient.invalidateQueries({ queryKey: keys.deadLetters(flowId) });
    },
    onError: (error) => {
      toast.error(`Could not replay: ${errorMessage(error)}`);
    },
  });

  if (letters.isPending)
    return (
      <div className="panel-state" data-testid="dead-letters-panel">
        <span data-testid="dead-letters-loading">Loading dead letters…</span>
      </div>
    );
  if (letters.isError)
    return (
      <div className="panel-error" data-testid="dead-letters-panel" role="alert">
        <span data-testid="dead-letters-error">
          Could not load dead letters: {errorMessage(letters.error)}
        </span>
      </div>
    );
  const pending = letters.data.filter((l) => l.replayedAt === null);
  const toggle = (id: number, on: boolean): void => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  return (
    <div className="dead-letters" data-testid="dead-letters-panel">
      <div className="panel-toolbar">
        <label className="check">
          <input
            type="checkbox"
            data-testid="dead-letters-select-all"
            checked={pending.length > 0 && pending.every((l) => selected.has(l.id))}
            disabled={pending.length === 0}
            onChange={(e) => {
              setSelected(e.target.checked ? new Set(pending.map((l) => l.id)) : new Set());
            }}
          />
          All pending ({pending.length})
        </label>
        <button
          type="button"
          className="btn btn-small btn-primary"
          data-testid="dead-letters-replay"
          title={blocked}
          disabled={selected.size === 0 || replay.isPending || blocked !== undefined}
          onClick={() => {
            replay.mutate([...selected]);
          }}
        >
          {replay.isPending ? "Replaying…" : `Replay ${selected.size} selected`}
        </button>
        <span className="muted small">
          Replayed records go back into their node in the running deployment.
        </span>
      </div>
      {openTrace !== undefined && (
        <TraceView
          flowId={flowId}
          traceId={openTrace}
          onClose={() => {
            setOpenTrace(undefined);
          }}
        />
      )}
      {letters.data.length === 0 ? (
        <div className="panel-state" data-testid="dead-letters-empty">
          No dead letters: every record that failed all its attempts would be listed here.
        </div>
      ) : (
        <table className="dl-table">
          <thead>
            <tr>
              <th aria-label="Select" />
              <th>Node</th>
              <th>Error</th>
              <th>Record</th>
              <th>Attempts</th>
              <th>When</th>
              <th>Status</th>
              <th aria-label="Trace" />
            </tr>
          </thead>
          <tbody>
            {letters.data.map((letter) => (
              <tr key={letter.id} data-testid={`dead-letter-${letter.id}`}>
                <td>
                  <input
                    type="checkbox"
                    data-testid={`dead-letter-select-${letter.id}`}
                    aria-label={`Select dead letter ${letter.id}`}
                    checked={selected.has(letter.id)}
                    disabled={letter.replayedAt !== null}
                    onChange={(e) => {
                      toggle(letter.id, e.target.checked);
                    }}
                  />
                </td>
                <td>
                  <code>{letter.nodeId}</code>
                </td>
                <td className="dl-error">{letter.error}</td>
                <td>
                  <code className="dl-record">
                    {valueText((letter.record as { value?: unknown } | null)?.value ?? letter.record)}
                  </code>
                </td>
                <td>{letter.attempts}</td>
                <td className="muted small">{new Date(letter.createdAt).toLocaleTimeString()}</td>
                <td className={`dl-status dl-${statusOf(letter).replace(" ", "-")}`}>{statusOf(letter)}</td>
                <td>
                  {traceIdOf(letter.record) !== undefined && (
                    <button
                      type="button"
                      className="btn btn-small"
                      data-testid={`trace-open-dead-letter-${letter.id}`}
                      title="Open this record's trace: its path through the flow with each node's time"
                      onClick={() => {
                        setOpenTrace(traceIdOf(letter.record));
                      }}
                    >
                      Trace
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
