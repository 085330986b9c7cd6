"use client";
// The flows page: every flow with its version, deployment and live activity (records/s, records
// failed in the last minute, dead letters waiting), search and a status filter, create (empty or
// from a template) / rename / duplicate / delete. Polls so states and figures change in place.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { AppBar } from "~/components/app-bar";
import { ListState } from "~/components/list-state";
import { ConfirmDelete, DeleteButton, useDeleteMutation } from "~/components/confirm-delete";
import { DeploymentBadge } from "~/components/deployment-badge";
import { useToast } from "~/components/toasts";
import { formatRate } from "~/lib/format";
import { keys } from "~/lib/query-keys";
import type { RouterOutputs } from "~/lib/trpc";
import { api, errorMessage } from "~/lib/trpc";
import { CreateFlowForm } from "./create-flow-form";
import { DeadLetterOverview } from "./dead-letter-overview";
import type { StatusFilter } from "./filter";
import { STATUS_FILTERS, filterFlows } from "./filter";
import { RenameFlowForm } from "./rename-flow-form";
import { TemplateGallery } from "./template-gallery";
import { useSession } from "~/auth/session";

type FlowRow = RouterOutputs["flow"]["list"][number];

function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function FlowsList() {
  const deleteBlocked = useSession().whyNot("editor", "Deleting a flow");
  const toast = useToast();
  const router = useRouter();
  const queryClient = useQueryClient();
  const flows = useQuery({
    queryKey: keys.flows,
    queryFn: () => api.flow.list.query(),
    refetchInterval: 3000,
  });
  const activity = useQuery({
    queryKey: keys.activity,
    queryFn: () => api.activity.flows.query(),
    refetchInterval: 2000,
  });
  const activityOf = new Map((activity.data ?? []).map((a) => [a.flowId, a]));
  const [query, setQuery] = useState("");
  const [status, setStatus] = useState<StatusFilter>("all");
  const [gallery, setGallery] = useState(false);
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
  const remove = useDeleteMutation({
    mutationFn: (flow: FlowRow) => api.flow.delete.mutate({ id: flow.id }),
    deleted: (flow) => `Deleted “${flow.name}”`,
    refresh,
  });

  return (
    <>
      <AppBar />
      <div className="page">
        <div className="page-head">
          <div>
            <h1>Flows</h1>
            <p className="muted">
              Sources, functions and sinks joined into pipelines. Open one to draw, code, test and deploy it.
            </p>
          </div>
          <div className="page-head-actions">
            <CreateFlowForm
              onCreated={(id) => {
                router.push(`/flows/${id}`);
              }}
            />
            <button
              type="button"
              className="btn"
              data-testid="template-gallery-open"
              aria-expanded={gallery}
              onClick={() => {
                setGallery((open) => !open);
              }}
            >
              New from template
            </button>
          </div>
        </div>

        {gallery ? (
          <TemplateGallery
            onClose={() => {
              setGallery(false);
            }}
          />
        ) : null}

        <ListState
          query={flows}
          testId="flows"
          what="flows"
          retry
          empty={
            <>
              <h2>No flows yet</h2>
              <p className="muted">
                Give your first flow a name above; the editor opens with an empty canvas.
              </p>
            </>
          }
        >
          {(rows) => (
            <>
              <div className="flows-tools">
                <label htmlFor="flows-search" className="visually-hidden">
                  Search flows
                </label>
                <input
                  id="flows-search"
                  data-testid="flows-search"
                  className="input"
                  type="search"
                  placeholder="Search by name or description"
                  value={query}
                  onChange={(e) => {
                    setQuery(e.target.value);
                  }}
                />
                <label htmlFor="flows-filter" className="visually-hidden">
                  Status
                </label>
                <select
                  id="flows-filter"
                  data-testid="flows-filter"
                  className="input"
                  value={status}
                  onChange={(e) => {
                    setStatus(e.target.value as StatusFilter);
                  }}
                >
                  {STATUS_FILTERS.map((f) => (
                    <option key={f.value} value={f.value}>
                      {f.label}
                    </option>
                  ))}
                </select>
              </div>
              <table className="flows-table" data-testid="flows-list">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Version</th>
                    <th>Deployment</th>
                    <th>Activity</th>
                    <th>Updated</th>
                    <th aria-label="Actions" />
                  </tr>
                </thead>
                <tbody>
                  {filterFlows(rows, query, status).map((flow) => (
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
                      <td className="small">
                        <FlowActivity flowId={flow.id} activity={activityOf.get(flow.id)} />
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
                        <DeleteButton
                          testId={`flow-delete-${flow.id}`}
                          blocked={deleteBlocked}
                          onClick={() => {
                            setDeleting(flow);
                          }}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {filterFlows(rows, query, status).length === 0 ? (
                <div className="panel-state" data-testid="flows-no-match">
                  No flow matches this search.
                </div>
              ) : null}
              <DeadLetterOverview flows={rows} activity={activity.data ?? []} />
            </>
          )}
        </ListState>

        {deleting ? (
          <ConfirmDelete
            title={`Delete “${deleting.name}”?`}
            message={
              deleting.deployment?.desiredState === "running"
                ? "It is deployed and will stop. Its versions, logs, state and dead letters are deleted too. This cannot be undone."
                : "Its versions, logs, state and dead letters are deleted too. This cannot be undone."
            }
            onDelete={() => {
              remove.mutate(deleting);
            }}
            onClose={() => {
              setDeleting(null);
            }}
          />
        ) : null}
      </div>
    </>
  );
}

type Activity = RouterOutputs["activity"]["flows"][number];

/** Records/s while it runs, records dead-lettered in the last minute, and dead letters waiting. */
function FlowActivity({ flowId, activity }: { flowId: string; activity: Activity | undefined }) {
  if (!activity) return <span className="muted">—</span>;
  return (
    <>
      <span data-testid={`flow-rate-${flowId}`} data-rate={activity.recordsPerSec}>
        {formatRate(activity.recordsPerSec)}
      </span>
      {activity.failedLastMinute > 0 ? (
        <div className="field-error inline" data-testid={`flow-failed-${flowId}`}>
          {activity.failedLastMinute} failed in the last minute
        </div>
      ) : null}
      {activity.deadLetters > 0 ? (
        <div className="muted" data-testid={`flow-dead-letters-${flowId}`}>
          {activity.deadLetters} dead letter{activity.deadLetters === 1 ? "" : "s"}
        </div>
      ) : null}
    </>
  );
}
