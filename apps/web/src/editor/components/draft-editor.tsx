"use client";
// A new flow from a template, not saved yet: the template's nodes on the canvas of the usual
// editor, nothing stored until Save (which creates the flow as version 1) or Deploy (which saves
// first). Leaving without saving leaves nothing behind.
import { useQuery } from "@tanstack/react-query";
import { ReactFlowProvider } from "@xyflow/react";
import { flowSpecSchema } from "@weir/domain";
import Link from "next/link";
import { keys } from "~/lib/query-keys";
import { api, errorMessage } from "~/lib/trpc";
import { TEMPLATES } from "~/templates/catalog";
import { docOfSpec } from "../graph";
import { Workspace } from "./workspace";

export function DraftEditor({ templateId, contract }: { templateId: string; contract: string }) {
  const nodeTypes = useQuery({
    queryKey: keys.nodeTypes,
    queryFn: () => api.nodeTypes.list.query(),
    staleTime: Infinity,
  });
  const template = TEMPLATES.find((t) => t.id === templateId);
  if (!template) {
    return (
      <div className="editor-state" data-testid="editor-error" role="alert">
        <h2>No template named “{templateId}”</h2>
        <p>
          The templates are: {TEMPLATES.map((t) => t.id).join(", ")}.{" "}
          <Link href="/" className="btn btn-ghost">
            All flows
          </Link>
        </p>
      </div>
    );
  }
  if (nodeTypes.isPending) {
    return (
      <div className="editor-state" data-testid="editor-loading">
        <div className="spinner" aria-hidden="true" /> Loading the node types…
      </div>
    );
  }
  if (nodeTypes.isError) {
    return (
      <div className="editor-state" data-testid="editor-error" role="alert">
        <h2>Could not open the template</h2>
        <p>{errorMessage(nodeTypes.error)}</p>
        <p>
          <button type="button" className="btn" onClick={() => void nodeTypes.refetch()}>
            Retry
          </button>{" "}
          <Link href="/" className="btn btn-ghost">
            All flows
          </Link>
        </p>
      </div>
    );
  }
  // Parsed as the server parses a saved spec, so the canvas sees the shape it always sees.
  const initial = docOfSpec(flowSpecSchema.parse(template.spec));
  return (
    <ReactFlowProvider>
      <Workspace
        key={template.id}
        flowId={null}
        initial={initial}
        version={0}
        nodeTypes={nodeTypes.data}
        contract={contract}
      />
    </ReactFlowProvider>
  );
}
