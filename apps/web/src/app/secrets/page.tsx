import { SecretsPage } from "~/manage/secrets-page";

export default function Page() {
  return <SecretsPage />;
}
