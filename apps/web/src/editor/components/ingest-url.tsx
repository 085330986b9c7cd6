"use client";
// Where to send records to an http-ingest node: the engine's public URL (as it registered in the
// engines table) + /ingest/<flowId>/<nodeId>, with a copy button and a curl line to try it, and the
// node's ingest token (which every POST needs unless the node is public) with a Rotate button.
// Shown once the flow is deployed, since only then does an engine accept records for it.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { keys } from "~/lib/query-keys";
import { api, errorMessage } from "~/lib/trpc";
import { ingestUrl } from "../ingest";

interface Props {
  flowId: string;
  nodeId: string;
  /** The flow runs and this node is in the saved version. */
  deployed: boolean;
}

export function IngestUrl({ flowId, nodeId, deployed }: Props) {
  const [copied, setCopied] = useState<string | null>(null);
  const queryClient = useQueryClient();
  const tokenKey = ["ingest-token", flowId, nodeId];
  const token = useQuery({
    queryKey: tokenKey,
    queryFn: () => api.ingest.token.query({ flowId, nodeId }),
    enabled: deployed,
  });
  const rotate = useMutation({
    mutationFn: () => api.ingest.rotateToken.mutate({ flowId, nodeId }),
    onSuccess: (answer) => {
      queryClient.setQueryData(tokenKey, answer);
    },
  });
  const engines = useQuery({
    queryKey: keys.engines,
    queryFn: () => api.engine.list.query(),
    enabled: deployed,
    refetchInterval: 10_000,
  });
  if (!deployed)
    return (
      <div className="field ingest" data-testid="ingest-url-pending">
        <div className="field-label">Ingest URL</div>
        <p className="field-help">Deploy the flow to get the URL that accepts records for this node.</p>
      </div>
    );
  if (engines.isPending)
    return (
      <div className="field ingest" data-testid="ingest-url-loading">
        Looking up the engine…
      </div>
    );
  if (engines.isError)
    return (
      <div className="field ingest panel-error" data-testid="ingest-url-error" role="alert">
        Could not read the engines: {errorMessage(engines.error)}
      </div>
    );
  const engine = engines.data.find((e) => e.alive) ?? engines.data[0];
  if (!engine)
    return (
      <div className="field ingest panel-error" data-testid="ingest-url-error" role="alert">
        No engine has registered: start one (npm start runs one) to receive records.
      </div>
    );
  const url = ingestUrl(engine.ingestUrl, flowId, nodeId);
  const secret = token.data && !token.data.public ? token.data.token : undefined;
  const auth = secret === undefined ? "" : ` -H 'authorization: Bearer ${secret}'`;
  const curl = `curl -X POST '${url}' -H 'content-type: application/json'${auth} -d '{"hello":"weir"}'`;
  const copy = (what: string, text: string): void => {
    void navigator.clipboard.writeText(text).then(
      () => {
        setCopied(what);
      },
      () => {
        setCopied(`${what}-failed`);
      },
    );
  };
  return (
    <div className="field ingest" data-testid="ingest-url-panel">
      <div className="field-label">Ingest URL</div>
      <CopyRow what="url" text={url} copied={copied === "url"} onCopy={copy} />
      <p className="field-help">POST one JSON value or a JSON array of them, for example:</p>
      <CopyRow what="curl" text={curl} copied={copied === "curl"} onCopy={copy} />
      <div className="field-label">Ingest token</div>
      {token.isError ? (
        <p className="field-help" data-testid="ingest-token-error">
          The token is shown to editors: {errorMessage(token.error)}
        </p>
      ) : token.data?.public ? (
        <p className="field-help" data-testid="ingest-token-public">
          This node is public: anyone who can reach the engine may POST to it, without a token.
        </p>
      ) : secret !== undefined ? (
        <>
          <CopyRow what="token" text={secret} copied={copied === "token"} onCopy={copy} />
          <p className="field-help">
            Every POST needs it as <code>Authorization: Bearer …</code>.{" "}
            <button
              type="button"
              className="btn btn-small"
              data-testid="ingest-token-rotate"
              disabled={rotate.isPending}
              onClick={() => {
                rotate.mutate();
              }}
            >
              {rotate.isPending ? "Rotating…" : "Rotate"}
            </button>{" "}
            makes a new one; the old one stops working within a second.
          </p>
          {rotate.isError ? (
            <p className="field-error" role="alert">
              Could not rotate the token: {errorMessage(rotate.error)}
            </p>
          ) : null}
        </>
      ) : (
        <p className="field-help">Reading the token…</p>
      )}
      {copied?.endsWith("-failed") ? (
        <p className="field-error" role="alert">
          The browser refused the clipboard; select the text and copy it.
        </p>
      ) : null}
    </div>
  );
}

/** One copyable line: `ingest-<what>` holds the text, `ingest-<what>-copy` copies it. */
function CopyRow(props: {
  what: string;
  text: string;
  copied: boolean;
  onCopy: (what: string, text: string) => void;
}) {
  return (
    <div className="ingest-row">
      <code className={`ingest-${props.what}`} data-testid={`ingest-${props.what}`}>
        {props.text}
      </code>
      <button
        type="button"
        className="btn btn-small"
        data-testid={`ingest-${props.what}-copy`}
        onClick={() => {
          props.onCopy(props.what, props.text);
        }}
      >
        {props.copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}
