import { contractDeclarations } from "@weir/runtime-js/contract";
import { FlowEditor } from "~/editor/components/flow-editor";

// The contract is read from @weir/runtime-js on the server and handed to Monaco in the browser.
export const dynamic = "force-dynamic";

export default async function FlowEditorPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <FlowEditor flowId={id} contract={contractDeclarations()} />;
}
