"use client";
// The flows page: every flow with its version and deployment, and create / rename / duplicate /
// delete. Polls every few seconds so deployment states change in place.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmDialog } from "~/components/confirm-dialog";
import { DeploymentBadge } from "~/components/deployment-badge";
import { useToast } from "~/components/toasts";
import { keys } from "~/lib/query-keys";
import type { RouterOutputs } from "~/lib/trpc";
import { api, errorMessage } from "~/lib/trpc";
import { CreateFlowForm } from "./create-flow-form";
import { RenameFlowForm } from "./rename-flow-form";

type FlowRow = RouterOutputs["flow"]["list"][number];

function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function FlowsList() {
  const toast = useToast();
  const router = useRouter();
  const queryClient = useQueryClient();
  const flows = useQuery({
    queryKey: keys.flows,
    queryFn: () => api.flow.list.query(),
    refetchInterval: 3000,
  });
  const [renaming, setRenaming] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<FlowRow | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.flows });

  const duplicate = useMutation({
    mutationFn: (flow: FlowRow) => api.flow.duplicate.mutate({ id: flow.id }),
    onSuccess: async (copy) => {
      toast.success(`Duplicated as “${copy.name}”`);
      await refresh();
    },
    onError: (error) => {
      toast.error(`Could not duplicate: ${errorMessage(error)}`);
    },
  });
  const remove = useMutation({
    mutationFn: (flow: FlowRow) => api.flow.delete.mutate({ id: flow.id }),
    onSuccess: async (_result, flow) => {
      toast.success(`Deleted “${flow.name}”`);
      await refresh();
    },
    onError: (error) => {
      toast.error(`Could not delete: ${errorMessage(error)}`);
    },
  });

  return (
    <>
      <header className="app-bar">
        <Link href="/" className="brand">
          Weir
        </Link>
      </header>
      <div className="page">
        <div className="page-head">
          <div>
            <h1>Flows</h1>
            <p className="muted">
              Sources, functions and sinks joined into pipelines. Open one to draw, code, test and deploy it.
            </p>
          </div>
          <CreateFlowForm
            onCreated={(id) => {
              router.push(`/flows/${id}`);
            }}
          />
        </div>

        {flows.isPending ? (
          <div className="panel-state" data-testid="flows-loading">
            Loading flows…
          </div>
        ) : flows.isError ? (
          <div className="panel-state panel-error" data-testid="flows-error" role="alert">
            Could not load the flows: {errorMessage(flows.error)}{" "}
            <button type="button" className="btn btn-small" onClick={() => void flows.refetch()}>
              Retry
            </button>
          </div>
        ) : flows.data.length === 0 ? (
          <div className="empty" data-testid="flows-empty">
            <h2>No flows yet</h2>
            <p className="muted">Give your first flow a name above; the editor opens with an empty canvas.</p>
          </div>
        ) : (
          <table className="flows-table" data-testid="flows-list">
            <thead>
              <tr>
                <th>Name</th>
                <th>Version</th>
                <th>Deployment</th>
                <th>Updated</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {flows.data.map((flow) => (
                <tr key={flow.id} data-testid={`flow-row-${flow.id}`}>
                  <td>
                    {renaming === flow.id ? (
                      <RenameFlowForm
                        flow={flow}
                        onDone={() => {
                          setRenaming(null);
                          void refresh();
                        }}
                      />
                    ) : (
                      <>
                        <Link
                          href={`/flows/${flow.id}`}
                          className="flow-link"
                          data-testid={`flow-open-${flow.id}`}
                        >
                          {flow.name}
                        </Link>
                        {flow.description ? <div className="muted small">{flow.description}</div> : null}
                      </>
                    )}
                  </td>
                  <td data-testid={`flow-version-${flow.id}`}>v{flow.latestVersion}</td>
                  <td>
                    <DeploymentBadge deployment={flow.deployment} testId={`flow-status-${flow.id}`} />
                  </td>
                  <td className="muted small">
                    <time dateTime={flow.updatedAt}>{formatTime(flow.updatedAt)}</time>
                  </td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="btn btn-small btn-ghost"
                      data-testid={`flow-rename-${flow.id}`}
                      onClick={() => {
                        setRenaming(flow.id);
                      }}
                    >
                      Rename
                    </button>
                    <button
                      type="button"
                      className="btn btn-small btn-ghost"
                      data-testid={`flow-duplicate-${flow.id}`}
                      disabled={duplicate.isPending}
                      onClick={() => {
                        duplicate.mutate(flow);
                      }}
                    >
                      Duplicate
                    </button>
                    <button
                      type="button"
                      className="btn btn-small btn-ghost btn-danger-text"
                      data-testid={`flow-delete-${flow.id}`}
                      onClick={() => {
                        setDeleting(flow);
                      }}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}

        {deleting ? (
          <ConfirmDialog
            title={`Delete “${deleting.name}”?`}
            message={
              deleting.deployment?.desiredState === "running"
                ? "It is deployed and will stop. Its versions, logs, state and dead letters are deleted too. This cannot be undone."
                : "Its versions, logs, state and dead letters are deleted too. This cannot be undone."
            }
            confirmLabel="Delete"
            danger
            onCancel={() => {
              setDeleting(null);
            }}
            onConfirm={() => {
              remove.mutate(deleting);
              setDeleting(null);
            }}
          />
        ) : null}
      </div>
    </>
  );
}
