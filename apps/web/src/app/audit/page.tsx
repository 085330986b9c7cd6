import { AuditPage } from "~/auth/audit-page";

export default function Page() {
  return <AuditPage />;
}
