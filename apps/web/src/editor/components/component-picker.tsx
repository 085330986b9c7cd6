"use client";
// For a wasm function node: which uploaded component it runs (from the Components page), or
// none, in which case the code in the Code tab is built into one at deploy.
import { useQuery } from "@tanstack/react-query";
import { keys } from "~/lib/query-keys";
import { api, errorMessage } from "~/lib/trpc";

interface Props {
  artifact: string;
  serverError?: string;
  onArtifact: (sha256: string | undefined) => void;
}

export function ComponentPicker({ artifact, serverError, onArtifact }: Props) {
  const artifacts = useQuery({ queryKey: keys.artifacts, queryFn: () => api.artifacts.list.query() });
  const known = artifacts.data?.some((a) => a.sha256 === artifact) ?? true;
  return (
    <div className="field">
      <label htmlFor="artifact-select" className="field-label">
        Component
      </label>
      {artifacts.isError ? (
        <div className="field-error" data-testid="artifacts-error">
          Could not load the components: {errorMessage(artifacts.error)}
        </div>
      ) : (
        <select
          id="artifact-select"
          data-testid="artifact-select"
          className="input"
          value={artifact}
          disabled={artifacts.isPending}
          onChange={(e) => {
            onArtifact(e.target.value === "" ? undefined : e.target.value);
          }}
        >
          <option value="">none: build the code in the Code tab</option>
          {!known && artifact !== "" ? (
            <option value={artifact}>{artifact.slice(0, 12)}… (not uploaded)</option>
          ) : null}
          {(artifacts.data ?? []).map((a) => (
            <option key={a.sha256} value={a.sha256}>
              {a.name || "unnamed"} · {a.sha256.slice(0, 12)}
            </option>
          ))}
        </select>
      )}
      <div className="field-help">
        Upload components on the{" "}
        <a href="/components" target="_blank" rel="noreferrer" data-testid="components-manage-link">
          Components page
        </a>{" "}
        (opens beside this editor).
      </div>
      {serverError ? (
        <div className="field-error" data-testid="field-error-artifact">
          {serverError}
        </div>
      ) : null}
    </div>
  );
}
