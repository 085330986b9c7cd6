"use client";
// The flow's test cases (its `tests:`, saved with the flow as `weir test FILE` reads them): save
// the dry run just made as a case, expecting exactly what each sink captured and each function's
// failures; run every case as dry runs and see PASS/FAIL with the same diff the CLI prints;
// remove a case. Cases change the canvas document, so Save makes them part of the next version.
import type { DryRunAnswer, FlowTest, TestRecord } from "@weir/domain";
import { compareCase, testCaseFromDryRun } from "@weir/domain";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { api, errorMessage } from "~/lib/trpc";
import type { FlowDoc } from "../graph";
import type { DryRunResult } from "./dry-run-panel";

/** The dry run shown in the panel, with what it was run on. */
export interface LastDryRun {
  source: string;
  records: TestRecord[];
  result: DryRunResult;
}

interface Props {
  doc: FlowDoc;
  last: LastDryRun | null;
  onEdit: (change: (doc: FlowDoc) => FlowDoc) => void;
}

interface Outcome {
  name: string;
  diff: string[];
}

async function runCase(doc: FlowDoc, test: FlowTest): Promise<Outcome> {
  const answers: DryRunAnswer[] = [];
  for (const [source, records] of Object.entries(test.input)) {
    answers.push(await api.dryRun.run.mutate({ spec: doc, source, records }));
  }
  return { name: test.name, diff: compareCase(test, answers) };
}

export function FlowTestsPanel({ doc, last, onEdit }: Props) {
  const tests = doc.tests ?? [];
  const [name, setName] = useState("");
  const run = useMutation({
    mutationFn: async (): Promise<Outcome[]> => {
      const outcomes: Outcome[] = [];
      for (const test of tests) outcomes.push(await runCase(doc, test));
      return outcomes;
    },
  });
  const trimmed = name.trim();
  const taken = tests.some((t) => t.name === trimmed);

  const save = (): void => {
    if (!last || trimmed === "") return;
    const made = testCaseFromDryRun(trimmed, last.source, last.records, last.result);
    onEdit((d) => ({ ...d, tests: [...(d.tests ?? []).filter((t) => t.name !== trimmed), made] }));
    setName("");
    run.reset();
  };

  return (
    <section className="flow-tests" data-testid="flow-tests" aria-label="Test cases">
      <div className="test-record-head">
        Test cases ({tests.length}){tests.length > 0 ? ": saved with the flow, run by weir test" : ""}
      </div>
      {last ? (
        <form
          className="flow-tests-save"
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <label className="field-label" htmlFor="flow-test-name">
            Save this run as a test case
          </label>
          <input
            id="flow-test-name"
            className="input"
            data-testid="flow-test-name"
            placeholder="what the case shows"
            maxLength={200}
            value={name}
            onChange={(e) => {
              setName(e.target.value);
            }}
          />
          <button
            type="submit"
            className="btn btn-small"
            data-testid="flow-test-save"
            disabled={trimmed === ""}
          >
            {taken ? "Replace test case" : "Save as test case"}
          </button>
        </form>
      ) : (
        <div className="muted small">Run the flow to save what it did as a test case.</div>
      )}
      {tests.length > 0 ? (
        <>
          <ul className="flow-tests-list">
            {tests.map((t) => {
              const outcome = run.data?.find((o) => o.name === t.name);
              return (
                <li key={t.name} data-testid="flow-test">
                  <span className="flow-test-name">{t.name}</span>{" "}
                  {outcome ? (
                    <span
                      className={outcome.diff.length === 0 ? "tag tag-ok" : "tag tag-bad"}
                      data-testid="flow-test-outcome"
                    >
                      {outcome.diff.length === 0 ? "PASS" : "FAIL"}
                    </span>
                  ) : null}{" "}
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    aria-label={`Remove test case ${t.name}`}
                    onClick={() => {
                      onEdit((d) => ({ ...d, tests: (d.tests ?? []).filter((x) => x.name !== t.name) }));
                      run.reset();
                    }}
                  >
                    Remove
                  </button>
                  {outcome && outcome.diff.length > 0 ? (
                    <pre className="dry-run-records" data-testid="flow-test-diff">
                      {outcome.diff.join("\n")}
                    </pre>
                  ) : null}
                </li>
              );
            })}
          </ul>
          <button
            type="button"
            className="btn btn-small"
            data-testid="flow-tests-run"
            disabled={run.isPending}
            onClick={() => {
              run.mutate();
            }}
          >
            {run.isPending ? "Running…" : `Run ${tests.length} test case${tests.length === 1 ? "" : "s"}`}
          </button>
          {run.data ? (
            <span className="muted small" data-testid="flow-tests-summary">
              {" "}
              {run.data.filter((o) => o.diff.length === 0).length} passed,{" "}
              {run.data.filter((o) => o.diff.length > 0).length} failed
            </span>
          ) : null}
          {run.isError ? (
            <div className="panel-error" role="alert">
              {errorMessage(run.error)}
            </div>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
