import { FlowsList } from "~/flows/flows-list";

export default function FlowsPage() {
  return <FlowsList />;
}
