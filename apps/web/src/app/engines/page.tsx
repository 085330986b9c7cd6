import { EnginesPage } from "~/manage/engines-page";

export default function Page() {
  return <EnginesPage />;
}
