"use client";
// Loads the flow and the node types, then hands them to the workspace.
import { useQuery } from "@tanstack/react-query";
import { ReactFlowProvider } from "@xyflow/react";
import Link from "next/link";
import { keys } from "~/lib/query-keys";
import { api, errorMessage } from "~/lib/trpc";
import { docOfSpec } from "../graph";
import { Workspace } from "./workspace";

export function FlowEditor({ flowId, contract }: { flowId: string; contract: string }) {
  // The document is loaded once; later changes come from this editor's own saves.
  const flow = useQuery({
    queryKey: keys.flow(flowId),
    queryFn: () => api.flow.get.query({ id: flowId }),
    staleTime: Infinity,
    refetchOnMount: "always",
  });
  const nodeTypes = useQuery({
    queryKey: keys.nodeTypes,
    queryFn: () => api.nodeTypes.list.query(),
    staleTime: Infinity,
  });

  if (flow.isPending || nodeTypes.isPending) {
    return (
      <div className="editor-state" data-testid="editor-loading">
        <div className="spinner" aria-hidden="true" /> Loading the flow…
      </div>
    );
  }
  if (flow.isError || nodeTypes.isError) {
    const error = flow.error ?? nodeTypes.error;
    return (
      <div className="editor-state" data-testid="editor-error" role="alert">
        <h2>Could not open this flow</h2>
        <p>{errorMessage(error)}</p>
        <p>
          <button
            type="button"
            className="btn"
            onClick={() => void Promise.all([flow.refetch(), nodeTypes.refetch()])}
          >
            Retry
          </button>{" "}
          <Link href="/" className="btn btn-ghost">
            All flows
          </Link>
        </p>
      </div>
    );
  }
  return (
    <ReactFlowProvider>
      <Workspace
        key={`${flowId}:${flow.data.version}`}
        flowId={flowId}
        initial={docOfSpec(flow.data.spec)}
        version={flow.data.version}
        nodeTypes={nodeTypes.data}
        contract={contract}
      />
    </ReactFlowProvider>
  );
}
