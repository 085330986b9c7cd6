import { UsersPage } from "~/auth/users-page";

export default function Page() {
  return <UsersPage />;
}
