"use client";
// Every saved version with its date and the one deployed; open one to look at it, or roll back
// to it (saved again as the newest version, and redeployed when the flow is running).
import { useQuery } from "@tanstack/react-query";
import { useSession } from "~/auth/session";
import { keys } from "~/lib/query-keys";
import { api, errorMessage } from "~/lib/trpc";
import type { FlowDoc } from "../graph";
import { summaryText } from "../version-summary";
import type { CompareSides } from "./use-comparison";
import { VersionDiffPanel } from "./version-diff-panel";

interface Props {
  flowId: string;
  latestVersion: number;
  shownVersion: number;
  deployedVersion: number | null;
  /** What the canvas holds now, to compare a version with. */
  canvas: FlowDoc;
  /** The function contract, for the code diff's TypeScript. */
  contract: string;
  /** The two sides compared under the table, and whether the canvas shows that comparison. */
  sides: CompareSides;
  onSides: (sides: CompareSides) => void;
  comparing: boolean;
  onCompare: (on: boolean) => void;
  busy: boolean;
  onOpen: (version: number) => void;
  onRollback: (version: number) => void;
}

export function VersionsPanel({
  flowId,
  latestVersion,
  shownVersion,
  deployedVersion,
  canvas,
  contract,
  sides,
  onSides,
  comparing,
  onCompare,
  busy,
  onOpen,
  onRollback,
}: Props) {
  const rollbackBlocked = useSession().whyNot("editor", "Rolling back");
  const versions = useQuery({
    queryKey: [...keys.versions(flowId), latestVersion],
    queryFn: () => api.flow.versions.query({ id: flowId }),
  });
  if (versions.isPending)
    return (
      <div className="panel-state" data-testid="versions-panel">
        <span data-testid="versions-loading">Loading versions…</span>
      </div>
    );
  if (versions.isError)
    return (
      <div className="panel-error" data-testid="versions-panel" role="alert">
        <span data-testid="versions-error">Could not load versions: {errorMessage(versions.error)}</span>
      </div>
    );
  return (
    <div className="versions" data-testid="versions-panel">
      <table className="dl-table">
        <thead>
          <tr>
            <th>Version</th>
            <th>Saved</th>
            <th>Message</th>
            <th>Changes</th>
            <th />
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {versions.data.map((v) => (
            <tr
              key={v.version}
              data-testid={`version-${v.version}`}
              data-deployed={v.version === deployedVersion ? "true" : "false"}
            >
              <td>
                <strong>v{v.version}</strong>
              </td>
              <td>
                {new Date(v.createdAt).toLocaleString(undefined, {
                  dateStyle: "medium",
                  timeStyle: "medium",
                })}
              </td>
              <td data-testid={`version-message-${v.version}`}>{v.message ?? ""}</td>
              <td className="muted small" data-testid={`version-summary-${v.version}`}>
                {v.version === 1 && summaryText(v.summary) === "no change"
                  ? "empty flow"
                  : summaryText(v.summary)}
              </td>
              <td>
                {v.version === latestVersion ? <span className="tag">latest</span> : null}
                {v.version === deployedVersion ? <span className="tag tag-ok">deployed</span> : null}
                {v.version === shownVersion ? <span className="tag tag-info">on canvas</span> : null}
              </td>
              <td className="row-actions">
                <button
                  type="button"
                  className="btn btn-small btn-ghost"
                  data-testid={`version-open-${v.version}`}
                  disabled={busy || v.version === shownVersion}
                  onClick={() => {
                    onOpen(v.version);
                  }}
                >
                  Open
                </button>
                <button
                  type="button"
                  className="btn btn-small"
                  data-testid={`version-rollback-${v.version}`}
                  disabled={busy || v.version === latestVersion || rollbackBlocked !== undefined}
                  title={rollbackBlocked}
                  onClick={() => {
                    onRollback(v.version);
                  }}
                >
                  Roll back to v{v.version}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <VersionDiffPanel
        flowId={flowId}
        versions={versions.data.map((v) => v.version)}
        latestVersion={latestVersion}
        canvas={canvas}
        contract={contract}
        sides={sides}
        onSides={onSides}
        comparing={comparing}
        onCompare={onCompare}
        busy={busy}
        onRollback={onRollback}
      />
    </div>
  );
}
