"use client";
// Runs the whole flow as it is on the canvas (saved or not) on sample records without deploying
// it (dryRun.run): the records enter at the chosen source, every function runs in a live engine
// under its own sandbox and limits, sinks only capture. Shows the records on the selected edge
// (click an edge on the canvas, where each edge also shows its count), or else every edge, each
// function's logs and failures and what each sink would have written.
import type { FlowNode } from "@weir/domain";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import type { RouterOutputs } from "~/lib/trpc";
import { api, errorMessage } from "~/lib/trpc";
import type { FlowDoc } from "../graph";
import { dryRunSampleProblems } from "../port-types";
import { parseSample } from "../sample-records";
import { FlowTestsPanel } from "./flow-tests-panel";
import type { LastDryRun } from "./flow-tests-panel";
import { SampleTypeProblems } from "./sample-type-problems";

export type DryRunResult = RouterOutputs["dryRun"]["run"];
type DryRunRecord = DryRunResult["edges"][number]["records"][number];

const DEFAULT_SAMPLE = `[
  { "value": { "n": 5 } },
  { "value": { "n": 50 } }
]`;

interface Props {
  doc: FlowDoc;
  /** The edge selected on the canvas, whose records are shown. */
  selectedEdge: string | undefined;
  result: DryRunResult | null;
  onResult: (result: DryRunResult | null) => void;
  onSelectEdge: (edgeId: string) => void;
  /** Changes the canvas document (saving a test case into the flow). */
  onEdit: (change: (doc: FlowDoc) => FlowDoc) => void;
}

const labelOf = (node: FlowNode | undefined, id: string): string =>
  node?.name !== undefined && node.name !== "" ? node.name : id;

function Records({ records, testId }: { records: DryRunRecord[]; testId: string }) {
  if (records.length === 0) return <div className="muted small">no records</div>;
  return (
    <pre className="dry-run-records" data-testid={testId}>
      {records
        .map((r) => `${typeof r.key === "string" ? `[${r.key}] ` : ""}${JSON.stringify(r.value)}`)
        .join("\n")}
    </pre>
  );
}

function ResultView({
  doc,
  result,
  selectedEdge,
  onSelectEdge,
}: Omit<Props, "onResult" | "onEdit"> & { result: DryRunResult }) {
  const nodes = new Map(doc.nodes.map((n) => [n.id, n]));
  const edgeName = (edgeId: string): string => {
    const edge = doc.edges.find((e) => e.id === edgeId);
    if (!edge) return edgeId;
    return `${labelOf(nodes.get(edge.from.node), edge.from.node)} › ${edge.from.port} → ${labelOf(nodes.get(edge.to.node), edge.to.node)}`;
  };
  const shown = result.edges.find((e) => e.edgeId === selectedEdge);
  if (shown) {
    return (
      <div className="dry-run-result" data-testid="dry-run-edge">
        <div className="test-record-head" data-testid="dry-run-edge-name">
          {edgeName(shown.edgeId)}: {shown.records.length} record{shown.records.length === 1 ? "" : "s"}
        </div>
        <Records records={shown.records} testId="dry-run-edge-records" />
      </div>
    );
  }
  return (
    <div className="dry-run-result" data-testid="dry-run-result">
      <div className="test-record-head">edges (click one, here or on the canvas, for its records)</div>
      <ul className="dry-run-edges">
        {result.edges.map((e) => (
          <li key={e.edgeId}>
            <button
              type="button"
              className="btn btn-small"
              data-testid={`dry-run-edge-${e.edgeId}`}
              onClick={() => {
                onSelectEdge(e.edgeId);
              }}
            >
              {edgeName(e.edgeId)}: {e.records.length}
            </button>
          </li>
        ))}
      </ul>
      {result.nodes
        .filter((n) => n.recordsIn > 0 && nodes.get(n.nodeId)?.kind !== "source")
        .map((n) => (
          <div key={n.nodeId} className="test-record" data-testid={`dry-run-node-${n.nodeId}`}>
            <div className="test-record-head">
              {labelOf(nodes.get(n.nodeId), n.nodeId)}: {n.recordsIn} in
              {n.captured === null ? `, ${String(n.recordsOut)} out` : ", would write (nothing was sent):"}
              {n.errors.length > 0 ? `, ${String(n.errors.length)} failed` : ""}
            </div>
            {n.problems.map((p, i) => (
              <div key={i} className="field-error">
                {p.line !== undefined ? `line ${String(p.line)}: ` : ""}
                {p.message}
              </div>
            ))}
            {n.errors.map((e) => (
              <div key={e.record} className="field-error" data-testid={`dry-run-error-${n.nodeId}`}>
                record {e.record}
                {e.line !== undefined ? `, line ${String(e.line)}` : ""}: {e.message}
              </div>
            ))}
            {n.logs.map((l, i) => (
              <div key={i} className={`log-line log-${l.level}`} data-testid={`dry-run-log-${n.nodeId}`}>
                <span className="log-level">{l.level}</span> {l.message}
              </div>
            ))}
            {n.captured !== null ? (
              <Records records={n.captured} testId={`dry-run-sink-${n.nodeId}`} />
            ) : null}
          </div>
        ))}
    </div>
  );
}

export function DryRunPanel({ doc, selectedEdge, result, onResult, onSelectEdge, onEdit }: Props) {
  const sources = doc.nodes.filter((n) => n.kind === "source");
  const [chosen, setChosen] = useState("");
  const [sample, setSample] = useState(DEFAULT_SAMPLE);
  // What the shown result was run on, so it can be saved as a test case.
  const [ranOn, setRanOn] = useState<Omit<LastDryRun, "result"> | null>(null);
  const parsed = parseSample(sample);
  const source = sources.find((s) => s.id === chosen) ?? sources[0];
  const run = useMutation({
    mutationFn: (records: DryRunRecord[]) =>
      api.dryRun.run.mutate({ spec: doc, source: source?.id ?? "", records }),
    onMutate: (records) => {
      onResult(null);
      setRanOn({ source: source?.id ?? "", records: records });
    },
    onSuccess: onResult,
  });

  if (!source) {
    return (
      <div className="panel-state" data-testid="dry-run-panel">
        <span data-testid="dry-run-no-source">Add a source to run the flow on sample records.</span>
      </div>
    );
  }
  return (
    <div className="test-panel" data-testid="dry-run-panel">
      <div className="test-input-col">
        <label className="field-label" htmlFor="dry-run-source">
          Records enter at
        </label>
        <select
          id="dry-run-source"
          className="input"
          data-testid="dry-run-source"
          value={source.id}
          onChange={(e) => {
            setChosen(e.target.value);
          }}
        >
          {sources.map((s) => (
            <option key={s.id} value={s.id}>
              {labelOf(s, s.id)}
            </option>
          ))}
        </select>
        <label className="field-label" htmlFor="dry-run-input">
          Sample records (JSON)
        </label>
        <textarea
          id="dry-run-input"
          data-testid="dry-run-input"
          className={`input input-code test-input${parsed.ok ? "" : " input-invalid"}`}
          title="An array of plain values, or of { value, key, headers, timestamp } records"
          spellCheck={false}
          value={sample}
          onChange={(e) => {
            setSample(e.target.value);
          }}
        />
        {!parsed.ok ? (
          <div className="field-error" data-testid="dry-run-input-error">
            {parsed.error}
          </div>
        ) : null}
        <SampleTypeProblems
          testId="dry-run-input-type-error"
          problems={parsed.ok ? dryRunSampleProblems(doc, source.id, parsed.records) : []}
        />
        <button
          type="button"
          className="btn btn-primary"
          data-testid="dry-run-run"
          disabled={!parsed.ok || run.isPending}
          onClick={() => {
            if (parsed.ok) run.mutate(parsed.records);
          }}
        >
          {run.isPending ? (
            <span data-testid="dry-run-running">Running…</span>
          ) : (
            `Run the flow on ${parsed.ok ? String(parsed.records.length) : "?"} record${parsed.ok && parsed.records.length === 1 ? "" : "s"}`
          )}
        </button>
        <div className="muted small">Nothing is deployed and sinks send nothing.</div>
        <FlowTestsPanel doc={doc} last={result && ranOn ? { ...ranOn, result } : null} onEdit={onEdit} />
      </div>
      <div className="test-output-col">
        {run.isError ? (
          <div className="panel-error" data-testid="dry-run-error" role="alert">
            {errorMessage(run.error)}
          </div>
        ) : result ? (
          <ResultView doc={doc} result={result} selectedEdge={selectedEdge} onSelectEdge={onSelectEdge} />
        ) : (
          <div className="muted small">
            The records on every edge, each function&apos;s logs and errors and what each sink would write
            appear here.
          </div>
        )}
      </div>
    </div>
  );
}
