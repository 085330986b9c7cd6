import { ConnectionsPage } from "~/manage/connections-page";

export default function Page() {
  return <ConnectionsPage />;
}
