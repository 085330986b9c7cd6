"use client";
// What a "Test connection" answered: the topics (Kafka) or subjects (schema registry) it listed,
// or which of unreachable / authentication / TLS failed, in the client's own words.
import type { RouterOutputs } from "~/lib/trpc";

export type TestResult =
  | RouterOutputs["connections"]["test"]
  | RouterOutputs["connections"]["testRegistry"]
  | RouterOutputs["connections"]["testDraft"];

const FAILURE_TITLE: Record<string, string> = {
  unreachable: "Unreachable",
  auth: "Authentication failed",
  tls: "TLS failed",
  other: "Failed",
};

/** `id` names the test ids: `connection-test-result-<id>`, `connection-topics-<id>`, `connection-subjects-<id>`. */
export function TestOutcome({ id, result }: { id: string; result: TestResult }) {
  if (result.ok && "subjects" in result) {
    return (
      <div
        className="test-outcome test-outcome-ok"
        data-testid={`connection-test-result-${id}`}
        data-ok="true"
      >
        <strong>Connected</strong> in {result.ms} ms. {result.subjects.length} subject
        {result.subjects.length === 1 ? "" : "s"}
        {result.subjects.length > 0 ? ": " : "."}
        {result.subjects.length > 0 ? (
          <span data-testid={`connection-subjects-${id}`}>{result.subjects.join(", ")}</span>
        ) : null}
      </div>
    );
  }
  if (result.ok) {
    return (
      <div
        className="test-outcome test-outcome-ok"
        data-testid={`connection-test-result-${id}`}
        data-ok="true"
      >
        <strong>Connected</strong> to {result.brokers} broker{result.brokers === 1 ? "" : "s"} in {result.ms}{" "}
        ms.{" "}
        {result.topics.length === 0 ? (
          "No topics yet."
        ) : (
          <>
            {result.topics.length} topic{result.topics.length === 1 ? "" : "s"}:{" "}
            <span data-testid={`connection-topics-${id}`}>{result.topics.join(", ")}</span>
          </>
        )}
      </div>
    );
  }
  return (
    <div
      className="test-outcome test-outcome-bad"
      data-testid={`connection-test-result-${id}`}
      data-ok="false"
      data-failure={result.failure}
      role="alert"
    >
      <strong>{FAILURE_TITLE[result.failure] ?? "Failed"}</strong>: {result.message}
    </div>
  );
}
