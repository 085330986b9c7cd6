"use client";
// The editor's top bar: where you are, the flow's name, what is saved and deployed, and the actions.
import Link from "next/link";
import type { ReactNode } from "react";
import { useSession } from "~/auth/session";
import { DeploymentBadge } from "~/components/deployment-badge";
import type { LiveDeployment } from "./use-live-stats";

interface Props {
  name: string;
  onName: (name: string) => void;
  savedVersion: number;
  shownVersion: number;
  dirty: boolean;
  deployment: LiveDeployment | null;
  liveError: string | null;
  /** Why this tab shows no live stats for now (other editor tabs hold the live streams). */
  livePaused: string | null;
  busy: string | null;
  canUndo: boolean;
  canRedo: boolean;
  onUndo: () => void;
  onRedo: () => void;
  onFit: () => void;
  onSave: () => void;
  /** What the person says about this change; saved with the version. */
  saveMessage: string;
  onSaveMessage: (message: string) => void;
  onDeploy: () => void;
  onStop: () => void;
  /** More actions, first on the right (the flow file's Export/Import). */
  actions?: ReactNode;
}

export function EditorHeader(props: Props) {
  const { deployment, busy } = props;
  const running = deployment !== null && deployment.desiredState === "running";
  // A viewer sees every control, disabled, with the reason on hover (and read by screen readers).
  const session = useSession();
  const saveBlocked = session.whyNot("editor", "Saving");
  const deployBlocked = session.whyNot("editor", "Deploying");
  const stopBlocked = session.whyNot("editor", "Stopping");
  return (
    <header className="editor-header">
      <div className="editor-header-left">
        <Link href="/" className="brand" title="All flows" data-testid="editor-all-flows">
          Weir
        </Link>
        <span className="crumb-sep">/</span>
        <input
          className="title-input"
          data-testid="editor-flow-name"
          aria-label="Flow name"
          value={props.name}
          maxLength={200}
          onChange={(e) => {
            props.onName(e.target.value);
          }}
        />
        <span
          className="tag"
          data-testid="editor-version"
          title={
            props.savedVersion === 0
              ? "a new flow: nothing is stored until Save"
              : props.shownVersion !== props.savedVersion
                ? `showing v${props.shownVersion}; latest saved is v${props.savedVersion}`
                : "latest saved version"
          }
        >
          {props.savedVersion === 0 ? (
            "not saved"
          ) : (
            <>
              v{props.shownVersion}
              {props.shownVersion !== props.savedVersion ? ` (latest v${props.savedVersion})` : ""}
            </>
          )}
        </span>
        {props.dirty ? (
          <span className="tag tag-warn" data-testid="editor-dirty" title="Unsaved changes (Ctrl+S saves)">
            unsaved
          </span>
        ) : null}
        <DeploymentBadge deployment={deployment} testId="deployment-status" />
        {deployBlocked !== undefined ? (
          <span className="tag" data-testid="read-only" title={deployBlocked}>
            read-only: {deployBlocked}
          </span>
        ) : null}
        {props.liveError !== null ? (
          <span className="tag tag-bad" data-testid="live-error" title={props.liveError}>
            live stats reconnecting…
          </span>
        ) : null}
        {props.livePaused !== null ? (
          <span className="tag" data-testid="live-paused" title={props.livePaused}>
            live stats paused
          </span>
        ) : null}
      </div>
      <div className="editor-header-right">
        {props.actions}
        <div className="btn-group">
          <button
            type="button"
            className="btn btn-icon"
            data-testid="undo-button"
            title="Undo (Ctrl+Z)"
            disabled={!props.canUndo}
            onClick={props.onUndo}
          >
            ↶
          </button>
          <button
            type="button"
            className="btn btn-icon"
            data-testid="redo-button"
            title="Redo (Ctrl+Shift+Z, Ctrl+Y)"
            disabled={!props.canRedo}
            onClick={props.onRedo}
          >
            ↷
          </button>
          <button
            type="button"
            className="btn btn-icon"
            data-testid="fit-view-button"
            title="Zoom to fit"
            onClick={props.onFit}
          >
            ⤢
          </button>
        </div>
        {props.dirty ? (
          <input
            className="input save-message"
            data-testid="save-message"
            aria-label="What changed (optional, saved with the version)"
            placeholder="What changed? (optional)"
            maxLength={500}
            value={props.saveMessage}
            onChange={(e) => {
              props.onSaveMessage(e.target.value);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter") props.onSave();
            }}
          />
        ) : null}
        <button
          type="button"
          className="btn"
          data-testid="save-button"
          title={saveBlocked ?? "Validate and save a new version (Ctrl+S)"}
          disabled={busy !== null || saveBlocked !== undefined}
          onClick={props.onSave}
        >
          {busy === "save" ? "Saving…" : "Save"}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          data-testid="deploy-button"
          title={
            deployBlocked ??
            (props.dirty ? "Saves, then deploys the new version" : "Deploys the latest saved version")
          }
          disabled={busy !== null || deployBlocked !== undefined}
          onClick={props.onDeploy}
        >
          {busy === "deploy" ? "Deploying…" : running ? "Redeploy" : "Deploy"}
        </button>
        <button
          type="button"
          className="btn btn-danger"
          data-testid="stop-button"
          title={stopBlocked}
          disabled={busy !== null || !running || stopBlocked !== undefined}
          onClick={props.onStop}
        >
          {busy === "stop" ? "Stopping…" : "Stop"}
        </button>
      </div>
    </header>
  );
}
