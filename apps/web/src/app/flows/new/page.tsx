import { DraftEditor } from "~/editor/components/draft-editor";
import { contractDeclarations } from "~/server/contract";

// /flows/new?template=<id>: a template on the canvas as a new flow, stored only when saved.
export const dynamic = "force-dynamic";

export default async function NewFlowPage({
  searchParams,
}: {
  searchParams: Promise<{ template?: string | string[] }>;
}) {
  const { template } = await searchParams;
  const id = Array.isArray(template) ? (template[0] ?? "") : (template ?? "");
  return <DraftEditor templateId={id} contract={contractDeclarations()} />;
}
