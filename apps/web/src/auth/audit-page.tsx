"use client";
// Admins: who did what, newest first; filter by user, flow and time.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { AppBar } from "~/components/app-bar";
import { TextField } from "~/components/fields";
import { api, errorMessage } from "~/lib/trpc";
import { useSession } from "./session";

export function AuditPage() {
  const session = useSession();
  const [user, setUser] = useState("");
  const [flowId, setFlowId] = useState("");
  const [from, setFrom] = useState("");
  const filters = {
    ...(user.trim() ? { user: user.trim() } : {}),
    ...(flowId.trim() ? { flowId: flowId.trim() } : {}),
    ...(from ? { from: new Date(from).toISOString() } : {}),
    limit: 200,
  };
  const events = useQuery({
    queryKey: ["audit", "list", filters],
    queryFn: () => api.audit.list.query(filters),
    enabled: session.can("admin"),
  });
  return (
    <>
      <AppBar />
      <main className="page">
        <div className="page-head">
          <h1>Audit log</h1>
        </div>
        {!session.can("admin") ? (
          <p className="field-error">{session.whyNot("admin", "Reading the audit log")}</p>
        ) : (
          <>
            <form
              className="manage-form"
              onSubmit={(e) => {
                e.preventDefault();
              }}
            >
              <TextField value={user} onValue={setUser}>
                User (email)
              </TextField>
              <TextField value={flowId} onValue={setFlowId}>
                Flow id
              </TextField>
              <TextField type="datetime-local" value={from} onValue={setFrom}>
                Since
              </TextField>
            </form>
            {events.isError ? <p className="field-error">{errorMessage(events.error)}</p> : null}
            <table className="flows-table" data-testid="audit-table">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Who</th>
                  <th>What</th>
                  <th>Flow</th>
                  <th>About</th>
                  <th>Outcome</th>
                </tr>
              </thead>
              <tbody>
                {(events.data ?? []).map((e) => (
                  <tr key={e.id}>
                    <td>{new Date(e.at).toLocaleString()}</td>
                    <td>
                      {e.email ?? "?"}
                      {e.tokenId ? " (token)" : ""}
                    </td>
                    <td>
                      <code>{e.action}</code>
                    </td>
                    <td>{e.flowId ?? ""}</td>
                    <td>{e.target ?? ""}</td>
                    <td>{e.outcome}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </main>
    </>
  );
}
