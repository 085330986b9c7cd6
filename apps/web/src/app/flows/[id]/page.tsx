import { FlowEditor } from "~/editor/components/flow-editor";
import { contractDeclarations } from "~/server/contract";

// The contract is read on the server and handed to Monaco in the browser.
export const dynamic = "force-dynamic";

export default async function FlowEditorPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <FlowEditor flowId={id} contract={contractDeclarations()} />;
}
