"use client";
// Compare two versions, or a version and the unsaved canvas: which nodes were added, removed or
// renamed, each changed config field, the edges, and a line diff of each function's code.
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { keys } from "~/lib/query-keys";
import { api, errorMessage } from "~/lib/trpc";
import type { FlowDoc } from "../graph";
import { diffFlows, edgeText, type FlowDiff } from "../version-diff";

/** "canvas" is what the editor holds now, saved or not. */
type Side = number | "canvas";

interface Props {
  flowId: string;
  versions: number[];
  latestVersion: number;
  canvas: FlowDoc;
  busy: boolean;
  onRollback: (version: number) => void;
}

function useSide(flowId: string, side: Side, canvas: FlowDoc) {
  const query = useQuery({
    queryKey: [...keys.versions(flowId), "spec", side],
    queryFn: async (): Promise<FlowDoc> => {
      const { name, description, nodes, edges } = (
        await api.flow.get.query({ id: flowId, version: side as number })
      ).spec;
      return { name, description, nodes, edges };
    },
    enabled: side !== "canvas",
    staleTime: Infinity,
  });
  return side === "canvas" ? { data: canvas, error: null } : { data: query.data, error: query.error };
}

const sideLabel = (side: Side): string => (side === "canvas" ? "unsaved canvas" : `v${String(side)}`);

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

export function VersionDiffPanel({ flowId, versions, latestVersion, canvas, busy, onRollback }: Props) {
  const [from, setFrom] = useState<Side>(Math.max(1, latestVersion - 1));
  const [to, setTo] = useState<Side>("canvas");
  const before = useSide(flowId, from, canvas);
  const after = useSide(flowId, to, canvas);
  const diff = useMemo(
    () => (before.data && after.data ? diffFlows(before.data, after.data) : null),
    [before.data, after.data],
  );
  const failed = before.error ?? after.error;
  return (
    <section className="version-diff" data-testid="version-diff" aria-label="Compare versions">
      <div className="diff-pickers">
        <strong>Compare</strong>
        <SidePicker testId="diff-from" label="from" value={from} options={versions} onChange={setFrom} />
        <SidePicker
          testId="diff-to"
          label="to"
          value={to}
          options={["canvas", ...versions]}
          onChange={setTo}
        />
        {typeof from === "number" && from !== latestVersion ? (
          <button
            type="button"
            className="btn btn-small"
            data-testid="diff-rollback"
            disabled={busy}
            onClick={() => {
              onRollback(from);
            }}
          >
            Roll back to v{from}
          </button>
        ) : null}
      </div>
      {failed ? (
        <p className="panel-error" role="alert" data-testid="diff-error">
          Could not load the versions to compare: {errorMessage(failed)}
        </p>
      ) : diff === null || !after.data || !before.data ? (
        <p className="muted" data-testid="diff-loading">
          Loading…
        </p>
      ) : (
        <DiffView diff={diff} before={before.data} after={after.data} />
      )}
    </section>
  );
}

function DiffView({ diff, before, after }: { diff: FlowDiff; before: FlowDoc; after: FlowDoc }) {
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
            <pre className="diff-code" data-testid={`diff-code-${c.id}`}>
              {c.code.map((line, i) => (
                <div key={i} className={`diff-line diff-${line.kind}`} data-kind={line.kind}>
                  {line.kind === "added" ? "+ " : line.kind === "removed" ? "− " : "  "}
                  {line.text}
                </div>
              ))}
            </pre>
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
