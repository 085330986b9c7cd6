import { ComponentsPage } from "~/manage/components-page";

export default function Page() {
  return <ComponentsPage />;
}
