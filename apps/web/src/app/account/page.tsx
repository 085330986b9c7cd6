import { AccountPage } from "~/auth/account-page";

export default function Page() {
  return <AccountPage />;
}
