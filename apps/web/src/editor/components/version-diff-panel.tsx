"use client";
// Compare two versions, or a version and the unsaved canvas: which nodes were added, removed or
// renamed, each changed config field, the edges, and each function's code in Monaco's diff editor.
// "Show on canvas" draws the same comparison on the canvas (comparison-canvas.tsx).
import { errorMessage } from "~/lib/trpc";
import type { Side } from "../compare-graph";
import type { FlowDoc } from "../graph";
import { edgeText, type FlowDiff, type NodeChange } from "../version-diff";
import { CodeDiff } from "./code-diff";
import { CompareRollbackButton } from "./compare-rollback-button";
import type { CompareSides } from "./use-comparison";
import { sideLabel, useComparison } from "./use-comparison";

interface Props {
  flowId: string;
  versions: number[];
  latestVersion: number;
  canvas: FlowDoc;
  /** The function contract, so the diff editor's TypeScript knows the types the code names. */
  contract: string;
  sides: CompareSides;
  onSides: (sides: CompareSides) => void;
  /** Whether the canvas shows this comparison. */
  comparing: boolean;
  onCompare: (on: boolean) => void;
  busy: boolean;
  onRollback: (version: number) => void;
}

function SidePicker(props: {
  testId: string;
  label: string;
  value: Side;
  options: Side[];
  onChange: (s: Side) => void;
}) {
  return (
    <label className="diff-pick">
      {props.label}{" "}
      <select
        data-testid={props.testId}
        value={String(props.value)}
        onChange={(e) => {
          props.onChange(e.target.value === "canvas" ? "canvas" : Number(e.target.value));
        }}
      >
        {props.options.map((o) => (
          <option key={String(o)} value={String(o)}>
            {sideLabel(o)}
          </option>
        ))}
      </select>
    </label>
  );
}

export function VersionDiffPanel(props: Props) {
  const { flowId, versions, latestVersion, canvas, sides, busy } = props;
  const { before, after, diff, error } = useComparison(flowId, sides, canvas);
  return (
    <section className="version-diff" data-testid="version-diff" aria-label="Compare versions">
      <div className="diff-pickers">
        <strong>Compare</strong>
        <SidePicker
          testId="diff-from"
          label="from"
          value={sides.from}
          options={versions}
          onChange={(from) => {
            props.onSides({ ...sides, from });
          }}
        />
        <SidePicker
          testId="diff-to"
          label="to"
          value={sides.to}
          options={["canvas", ...versions]}
          onChange={(to) => {
            props.onSides({ ...sides, to });
          }}
        />
        <button
          type="button"
          className={`btn btn-small${props.comparing ? "" : " btn-ghost"}`}
          data-testid="diff-show-canvas"
          aria-pressed={props.comparing}
          onClick={() => {
            props.onCompare(!props.comparing);
          }}
        >
          {props.comparing ? "Leave comparison" : "Show on canvas"}
        </button>
        <CompareRollbackButton
          sides={sides}
          latestVersion={latestVersion}
          busy={busy}
          testId="diff-rollback"
          onRollback={props.onRollback}
        />
      </div>
      {error ? (
        <p className="panel-error" role="alert" data-testid="diff-error">
          Could not load the versions to compare: {errorMessage(error)}
        </p>
      ) : diff === null || !after || !before ? (
        <p className="muted" data-testid="diff-loading">
          Loading…
        </p>
      ) : (
        <DiffView
          diff={diff}
          before={before}
          after={after}
          contract={props.contract}
          beforeLabel={sideLabel(sides.from)}
          afterLabel={sideLabel(sides.to)}
        />
      )}
    </section>
  );
}

/** The code of node `id` in `doc`, "" when it has none. */
function codeOf(doc: FlowDoc, id: string): string {
  const code = doc.nodes.find((n) => n.id === id)?.config.code;
  return typeof code === "string" ? code : "";
}

function CodeChange(props: {
  change: NodeChange;
  before: FlowDoc;
  after: FlowDoc;
  contract: string;
  beforeLabel: string;
  afterLabel: string;
}) {
  const { change, before, after } = props;
  const lines = change.code ?? [];
  const added = lines.filter((l) => l.kind === "added").length;
  const removed = lines.filter((l) => l.kind === "removed").length;
  const node = after.nodes.find((n) => n.id === change.id);
  return (
    <div className="diff-code">
      <div className="muted small" data-testid={`diff-code-summary-${change.id}`}>
        code: {removed} line{removed === 1 ? "" : "s"} removed, {added} added
      </div>
      <CodeDiff
        testId={`diff-code-${change.id}`}
        before={codeOf(before, change.id)}
        after={codeOf(after, change.id)}
        language={
          node?.config.language === "javascript" || node?.config.language === "python"
            ? node.config.language
            : "typescript"
        }
        contract={props.contract}
        lines={lines.length}
        beforeLabel={props.beforeLabel}
        afterLabel={props.afterLabel}
      />
    </div>
  );
}

function DiffView(props: {
  diff: FlowDiff;
  before: FlowDoc;
  after: FlowDoc;
  contract: string;
  beforeLabel: string;
  afterLabel: string;
}) {
  const { diff, before, after } = props;
  if (diff.empty)
    return (
      <p className="muted" data-testid="diff-empty">
        No differences.
      </p>
    );
  const label = (n: { name?: string | undefined; id: string }): string => n.name ?? n.id;
  return (
    <ul className="diff-list" data-testid="diff-result">
      {diff.renamed ? (
        <li data-testid="diff-renamed">
          Flow renamed: {diff.renamed.before} → {diff.renamed.after}
        </li>
      ) : null}
      {diff.nodesAdded.map((n) => (
        <li key={`+${n.id}`} className="diff-added" data-testid={`diff-node-added-${n.id}`}>
          + node {label(n)} ({n.type})
        </li>
      ))}
      {diff.nodesRemoved.map((n) => (
        <li key={`-${n.id}`} className="diff-removed" data-testid={`diff-node-removed-${n.id}`}>
          − node {label(n)} ({n.type})
        </li>
      ))}
      {diff.nodesChanged.map((c) => (
        <li key={`~${c.id}`} className="diff-changed" data-testid={`diff-node-changed-${c.id}`}>
          ~ node {c.label}
          {c.renamedFrom !== undefined ? ` (renamed from ${c.renamedFrom})` : ""}
          {c.fields.length > 0 ? (
            <table className="dl-table diff-fields">
              <tbody>
                {c.fields.map((f) => (
                  <tr key={f.field} data-testid={`diff-field-${c.id}-${f.field}`}>
                    <td>{f.field}</td>
                    <td className="diff-removed">{f.before ?? "(unset)"}</td>
                    <td className="diff-added">{f.after ?? "(unset)"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {c.code ? (
            <CodeChange
              change={c}
              before={before}
              after={after}
              contract={props.contract}
              beforeLabel={props.beforeLabel}
              afterLabel={props.afterLabel}
            />
          ) : null}
        </li>
      ))}
      {diff.edgesAdded.map((e) => (
        <li key={`+e${e.id}`} className="diff-added" data-testid={`diff-edge-added-${e.id}`}>
          + edge {edgeText(e, after)}
        </li>
      ))}
      {diff.edgesRemoved.map((e) => (
        <li key={`-e${e.id}`} className="diff-removed" data-testid={`diff-edge-removed-${e.id}`}>
          − edge {edgeText(e, before)}
        </li>
      ))}
      {diff.edgesChanged.map((e) => (
        <li key={`~e${e.after.id}`} className="diff-changed" data-testid={`diff-edge-changed-${e.after.id}`}>
          ~ edge {edgeText(e.before, before)} → {edgeText(e.after, after)}
        </li>
      ))}
    </ul>
  );
}
