"use client";
// Components: WebAssembly components for `wasm` function nodes. Upload one (checked by the
// wasm runtime's inspector before anything is stored), see every stored one with its size,
// hash, name and the flows whose function nodes run it.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { AppBar } from "~/components/app-bar";
import { ListState } from "~/components/list-state";
import { FlowLinks } from "~/components/flow-links";
import { formatBytes, formatTime } from "~/lib/format";
import { keys } from "~/lib/query-keys";
import { api } from "~/lib/trpc";
import type { UploadVerdict } from "./component-upload";
import { ComponentUpload, Verdict } from "./component-upload";

export function ComponentsPage() {
  const queryClient = useQueryClient();
  const artifacts = useQuery({ queryKey: keys.artifacts, queryFn: () => api.artifacts.list.query() });
  const [verdict, setVerdict] = useState<UploadVerdict | null>(null);

  return (
    <>
      <AppBar />
      <main className="page">
        <div className="page-head">
          <div>
            <h1>Components</h1>
            <p className="muted">
              WebAssembly components a <code>wasm</code> function node runs instead of code, built for the
              Weir world in any language (see examples/functions). Pick one in a function node&apos;s
              inspector.
            </p>
          </div>
        </div>

        <ComponentUpload
          onUploaded={(v) => {
            setVerdict(v);
            if (v.ok) void queryClient.invalidateQueries({ queryKey: keys.artifacts });
          }}
        />
        {verdict ? <Verdict verdict={verdict} /> : null}

        <ListState
          query={artifacts}
          testId="components"
          what="components"
          empty={
            <>
              <h2>No components yet</h2>
              <p className="muted">Upload a .wasm above.</p>
            </>
          }
        >
          {(rows) => (
            <table className="flows-table" data-testid="components-list">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>SHA-256</th>
                  <th>Size</th>
                  <th>Uploaded</th>
                  <th>Used by</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((a) => (
                  <tr key={a.sha256} data-testid={`component-row-${a.sha256}`}>
                    <td>
                      <strong>{a.name || "unnamed"}</strong>
                      <div className="muted small">{a.world}</div>
                    </td>
                    <td>
                      <code className="hash" title={a.sha256}>
                        {a.sha256.slice(0, 16)}…
                      </code>
                    </td>
                    <td className="small" data-testid={`component-size-${a.sha256}`}>
                      {formatBytes(a.size)}
                    </td>
                    <td className="muted small">
                      <time dateTime={a.createdAt}>{formatTime(a.createdAt)}</time>
                    </td>
                    <td>
                      <FlowLinks flows={a.flows} testId={`component-flows-${a.sha256}`} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </ListState>
      </main>
    </>
  );
}
