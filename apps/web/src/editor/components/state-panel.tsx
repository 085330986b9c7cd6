"use client";
// The selected function node's durable state (ctx.state): keys, searchable, each with its JSON
// value and last write; a key's value can be edited as JSON or the key deleted (after asking).
// Edits need the flow stopped: a running engine keeps state cached and would overwrite them.
import type { FlowNode, JsonValue } from "@weir/domain";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmDelete } from "~/components/confirm-delete";
import { useToast } from "~/components/toasts";
import { api, errorMessage } from "~/lib/trpc";

interface Props {
  flowId: string;
  node: FlowNode | undefined;
  /** State lives with the saved flow: a node added since the last save has none. */
  saved: boolean;
  running: boolean;
}

const STOP_FIRST = "Stop the flow to edit its state: a running engine keeps it cached";

function parseJson(text: string): { ok: true; value: JsonValue } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch (error) {
    return { ok: false, error: `not valid JSON: ${errorMessage(error)}` };
  }
}

export function StatePanel({ flowId, node, saved, running }: Props) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState("");
  const [editing, setEditing] = useState<{ key: string; text: string } | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const nodeId = node?.id ?? "";
  const readable = node?.kind === "function" && saved;
  const queryKey = ["flow", flowId, "state", nodeId, search] as const;
  const state = useQuery({
    queryKey,
    queryFn: () => api.state.list.query({ flowId, nodeId, search }),
    enabled: readable,
    refetchInterval: 2000,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["flow", flowId, "state", nodeId] });
  const save = useMutation({
    mutationFn: (input: { key: string; value: JsonValue }) =>
      api.state.set.mutate({ flowId, nodeId, ...input }),
    onSuccess: async ({ key }) => {
      toast.success(`Saved state key ${key}.`);
      setEditing(null);
      await refresh();
    },
    onError: (error) => {
      toast.error(`Could not save the state: ${errorMessage(error)}`);
    },
  });
  const remove = useMutation({
    mutationFn: (key: string) => api.state.delete.mutate({ flowId, nodeId, key }),
    onSuccess: async ({ deleted }) => {
      toast.success(`Deleted state key ${deleted}.`);
      await refresh();
    },
    onError: (error) => {
      toast.error(`Could not delete the state key: ${errorMessage(error)}`);
    },
  });

  if (!node || node.kind !== "function")
    return (
      <div className="panel-state" data-testid="state-panel">
        <span data-testid="state-no-function">Select a function node to browse its state (ctx.state).</span>
      </div>
    );
  if (!saved)
    return (
      <div className="panel-state" data-testid="state-panel">
        <span data-testid="state-no-function">Save the flow first: this node has no state yet.</span>
      </div>
    );
  const parsed = editing ? parseJson(editing.text) : null;
  return (
    <div className="state-panel" data-testid="state-panel">
      <div className="state-toolbar">
        <input
          className="input"
          data-testid="state-search"
          aria-label="Search state keys"
          placeholder="Search keys"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
          }}
        />
        {state.data ? (
          <span className="muted small" data-testid="state-total">
            {state.data.total} key{state.data.total === 1 ? "" : "s"}
            {state.data.total > state.data.entries.length
              ? ` (first ${String(state.data.entries.length)} shown)`
              : ""}
          </span>
        ) : null}
        {running ? <span className="muted small">{STOP_FIRST}.</span> : null}
      </div>
      {state.isPending ? (
        <div className="panel-state" data-testid="state-loading">
          Loading the state…
        </div>
      ) : state.isError ? (
        <div className="panel-error" data-testid="state-error" role="alert">
          Could not read the state: {errorMessage(state.error)}
        </div>
      ) : state.data.entries.length === 0 ? (
        <div className="panel-state" data-testid="state-empty">
          {search === "" ? "No state yet: the function writes it with ctx.state.put." : "No key matches."}
        </div>
      ) : (
        <table className="state-table">
          <thead>
            <tr>
              <th>key</th>
              <th>value</th>
              <th>last write</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {state.data.entries.map((entry) => (
              <tr key={entry.key} data-testid={`state-row-${entry.key}`}>
                <td className="state-key">{entry.key}</td>
                <td>
                  {editing?.key === entry.key ? (
                    <>
                      <textarea
                        className={`input input-code${parsed?.ok === false ? " input-invalid" : ""}`}
                        data-testid="state-edit-input"
                        aria-label={`Value of ${entry.key} (JSON)`}
                        spellCheck={false}
                        value={editing.text}
                        onChange={(e) => {
                          setEditing({ key: entry.key, text: e.target.value });
                        }}
                      />
                      {parsed?.ok === false ? (
                        <div className="field-error" data-testid="state-edit-error">
                          {parsed.error}
                        </div>
                      ) : null}
                    </>
                  ) : (
                    <pre className="state-value" data-testid={`state-value-${entry.key}`}>
                      {JSON.stringify(entry.value, null, 2)}
                    </pre>
                  )}
                </td>
                <td className="muted small">{new Date(entry.updatedAt).toLocaleString()}</td>
                <td className="state-actions">
                  {editing?.key === entry.key ? (
                    <>
                      <button
                        type="button"
                        className="btn btn-small btn-primary"
                        data-testid="state-save"
                        disabled={parsed?.ok !== true || save.isPending}
                        onClick={() => {
                          if (parsed?.ok) save.mutate({ key: entry.key, value: parsed.value });
                        }}
                      >
                        Save
                      </button>
                      <button
                        type="button"
                        className="btn btn-small"
                        data-testid="state-cancel"
                        onClick={() => {
                          setEditing(null);
                        }}
                      >
                        Cancel
                      </button>
                    </>
                  ) : (
                    <>
                      <button
                        type="button"
                        className="btn btn-small"
                        data-testid={`state-edit-${entry.key}`}
                        disabled={running}
                        title={running ? STOP_FIRST : `Edit the value of ${entry.key}`}
                        onClick={() => {
                          setEditing({ key: entry.key, text: JSON.stringify(entry.value, null, 2) });
                        }}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        className="btn btn-small btn-danger"
                        data-testid={`state-delete-${entry.key}`}
                        disabled={running}
                        title={running ? STOP_FIRST : `Delete ${entry.key}`}
                        onClick={() => {
                          setDeleting(entry.key);
                        }}
                      >
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {deleting !== null ? (
        <ConfirmDelete
          title={`Delete state key ${deleting}?`}
          message={`${node.name ?? node.id} loses the value stored under ${deleting}; the next ctx.state.get of it reads undefined.`}
          onDelete={() => {
            remove.mutate(deleting);
          }}
          onClose={() => {
            setDeleting(null);
          }}
        />
      ) : null}
    </div>
  );
}
