"use client";
// Runs the selected function's current code (saved or not) on sample records through a live
// engine (functions.trigger) and shows what each record produced per port, the logs, errors with
// their line (also marked in Monaco) and timing. Nothing is deployed.
import type { FlowNode, JsonValue } from "@weir/domain";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import type { RouterInputs, RouterOutputs } from "~/lib/trpc";
import { api, errorMessage } from "~/lib/trpc";
import { sampleTypeProblems } from "../port-types";
import { parseSample } from "../sample-records";
import { SampleTypeProblems } from "./sample-type-problems";
import type { CodeMarker } from "./code-editor-impl";

type TriggerResult = RouterOutputs["functions"]["trigger"];
type TriggerInput = RouterInputs["functions"]["trigger"];

const DEFAULT_SAMPLE = `[
  { "value": { "seq": 1, "amount": 12.5 } },
  { "value": { "seq": 2, "amount": 99 } }
]`;

interface Props {
  node: FlowNode | undefined;
  ports: string[];
  onMarkers: (nodeId: string, markers: CodeMarker[]) => void;
}

const isObject = (v: JsonValue | undefined): v is { [key: string]: JsonValue } =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: JsonValue | undefined): number | undefined => (typeof v === "number" ? v : undefined);

function triggerInput(node: FlowNode, ports: string[], records: TriggerInput["records"]): TriggerInput {
  const { config } = node;
  const input: TriggerInput = {
    language:
      config.language === "javascript" || config.language === "python" ? config.language : "typescript",
    ports,
    records,
  };
  if (config.runtime === "js" || config.runtime === "wasm" || config.runtime === "python")
    input.runtime = config.runtime;
  // A wasm node runs its uploaded component when it names one, and otherwise its code.
  if (typeof config.artifact === "string" && config.artifact !== "") input.artifact = config.artifact;
  else input.code = typeof config.code === "string" ? config.code : "";
  if (isObject(config.params)) input.params = config.params;
  if (Array.isArray(config.requirements) && config.requirements.length > 0)
    input.requirements = config.requirements.filter((s): s is string => typeof s === "string");
  if (Array.isArray(config.secrets))
    input.secrets = config.secrets.filter((s): s is string => typeof s === "string");
  const timeoutMs = num(config.timeoutMs);
  if (timeoutMs !== undefined) input.timeoutMs = timeoutMs;
  const memoryLimitMb = num(config.memoryLimitMb);
  if (memoryLimitMb !== undefined) input.memoryLimitMb = memoryLimitMb;
  return input;
}

function markersOf(result: TriggerResult): CodeMarker[] {
  if (!result.ok)
    return result.problems.flatMap((p) =>
      p.line === undefined ? [] : [{ line: p.line, column: p.column, message: p.message }],
    );
  return result.results.flatMap((r, i) =>
    r.error?.line === undefined ? [] : [{ line: r.error.line, message: `record ${i}: ${r.error.message}` }],
  );
}

function ResultView({ result }: { result: TriggerResult }) {
  return (
    <div className="test-result" data-testid="test-result">
      {!result.ok ? (
        <ul className="problem-list" data-testid="test-problems">
          {result.problems.map((p, i) => (
            <li key={i}>
              {p.line !== undefined ? (
                <code>
                  line {p.line}
                  {p.column !== undefined ? `:${p.column}` : ""}
                </code>
              ) : null}{" "}
              {p.message}
            </li>
          ))}
        </ul>
      ) : (
        <>
          <div className="test-timing muted small" data-testid="test-timing">
            instance {result.timing.instanceMs.toFixed(1)} ms · processing{" "}
            {result.timing.processMs.toFixed(1)} ms · {result.timing.perRecordUs.toFixed(0)} µs per record
          </div>
          {result.results.map((r, i) => (
            <div
              key={i}
              className={`test-record${r.error ? " test-record-failed" : ""}`}
              data-testid={`test-record-${i}`}
            >
              <div className="test-record-head">record {i}</div>
              {r.error ? (
                <div className="field-error" data-testid={`test-record-error-${i}`}>
                  {r.error.line !== undefined ? `line ${r.error.line}: ` : ""}
                  {r.error.message}
                </div>
              ) : null}
              {Object.entries(r.outputs).map(([port, records]) => (
                <div key={port} className="test-port">
                  <span className="port-name">→ {port}</span>
                  <pre data-testid={`test-output-${i}-${port}`}>
                    {records.length === 0
                      ? "(nothing)"
                      : records.map((rec) => JSON.stringify(rec.value)).join("\n")}
                  </pre>
                </div>
              ))}
              {!r.error && Object.values(r.outputs).every((records) => records.length === 0) ? (
                <div className="muted small">no output (filtered)</div>
              ) : null}
            </div>
          ))}
        </>
      )}
      <div className="test-logs" data-testid="test-logs">
        <div className="test-record-head">logs</div>
        {result.logs.length === 0 ? (
          <div className="muted small">nothing logged</div>
        ) : (
          result.logs.map((l, i) => (
            <div key={i} className={`log-line log-${l.level}`}>
              <span className="log-level">{l.level}</span> {l.message}
            </div>
          ))
        )}
      </div>
    </div>
  );
}

export function TestPanel({ node, ports, onMarkers }: Props) {
  const [sample, setSample] = useState(DEFAULT_SAMPLE);
  const parsed = parseSample(sample);
  const typeProblems = parsed.ok ? sampleTypeProblems(parsed.records, node?.schemas?.input) : [];
  const run = useMutation({
    mutationFn: (input: TriggerInput) => api.functions.trigger.mutate(input),
    onSuccess: (result) => {
      if (node) onMarkers(node.id, markersOf(result));
    },
  });

  if (!node || node.kind !== "function") {
    return (
      <div className="panel-state" data-testid="test-panel">
        <span data-testid="test-no-function">Select a function node to test its code on sample records.</span>
      </div>
    );
  }

  return (
    <div className="test-panel" data-testid="test-panel">
      <div className="test-input-col">
        <label className="field-label" htmlFor="test-input">
          Sample records (JSON)
        </label>
        <textarea
          id="test-input"
          data-testid="test-input"
          className={`input input-code test-input${parsed.ok ? "" : " input-invalid"}`}
          title="An array of plain values, or of { value, key, headers, timestamp } records"
          spellCheck={false}
          value={sample}
          onChange={(e) => {
            setSample(e.target.value);
          }}
        />
        {!parsed.ok ? (
          <div className="field-error" data-testid="test-input-error">
            {parsed.error}
          </div>
        ) : null}
        <SampleTypeProblems testId="test-input-type-error" problems={typeProblems} />
        <button
          type="button"
          className="btn btn-primary"
          data-testid="test-run"
          disabled={!parsed.ok || run.isPending}
          onClick={() => {
            if (parsed.ok) run.mutate(triggerInput(node, ports, parsed.records));
          }}
        >
          {run.isPending ? (
            <span data-testid="test-running">Running…</span>
          ) : (
            `Run ${node.name ?? node.id} on ${parsed.ok ? parsed.records.length : "?"} record${parsed.ok && parsed.records.length === 1 ? "" : "s"}`
          )}
        </button>
      </div>
      <div className="test-output-col">
        {run.isError ? (
          <div className="panel-error" data-testid="test-error" role="alert">
            {errorMessage(run.error)}
          </div>
        ) : run.data ? (
          <ResultView result={run.data} />
        ) : (
          <div className="muted small">
            Outputs per port, logs, errors and timing appear here. The code as it is in the editor runs, saved
            or not.
          </div>
        )}
      </div>
    </div>
  );
}
