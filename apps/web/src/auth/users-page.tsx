"use client";
// Admins: create accounts (nobody signs up), change roles, disable and enable.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ROLES } from "@weir/auth/roles";
import type { Role } from "@weir/auth/roles";
import { AppBar } from "~/components/app-bar";
import { NewPasswordField, SelectField, TextField } from "~/components/fields";
import { api, errorMessage } from "~/lib/trpc";
import { useSession } from "./session";

const USERS_KEY = ["users", "list"] as const;

export function UsersPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const users = useQuery({
    queryKey: USERS_KEY,
    queryFn: () => api.users.list.query(),
    enabled: session.can("admin"),
  });
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const refresh = () => queryClient.invalidateQueries({ queryKey: USERS_KEY });
  const create = useMutation({
    mutationFn: () => api.users.create.mutate({ email, password, role }),
    onSuccess: async () => {
      setEmail("");
      setPassword("");
      await refresh();
    },
  });
  const setUserRole = useMutation({
    mutationFn: (input: { userId: string; role: Role }) => api.users.setRole.mutate(input),
    onSuccess: refresh,
  });
  const setDisabled = useMutation({
    mutationFn: (input: { userId: string; disabled: boolean }) => api.users.setDisabled.mutate(input),
    onSuccess: refresh,
  });
  const failure = create.error ?? setUserRole.error ?? setDisabled.error;
  return (
    <>
      <AppBar />
      <main className="page">
        <div className="page-head">
          <div>
            <h1>Users</h1>
            <p className="field-help">
              Viewers read everything but secret values; editors change and run flows; admins also manage
              users, tokens, secrets and connections.
            </p>
          </div>
        </div>
        {!session.can("admin") ? (
          <p className="field-error">{session.whyNot("admin", "Managing users")}</p>
        ) : (
          <>
            <form
              className="manage-form"
              data-testid="user-form"
              onSubmit={(e) => {
                e.preventDefault();
                create.mutate();
              }}
            >
              <TextField type="email" required data-testid="user-email" value={email} onValue={setEmail}>
                Email
              </TextField>
              <NewPasswordField data-testid="user-password" value={password} onValue={setPassword}>
                Initial password, to be changed by them
              </NewPasswordField>
              <SelectField data-testid="user-role" value={role} options={ROLES} onValue={setRole}>
                Role
              </SelectField>
              <button
                type="submit"
                className="btn btn-primary"
                data-testid="user-create"
                disabled={create.isPending}
              >
                Create user
              </button>
            </form>
            {failure ? (
              <p role="alert" className="field-error">
                {errorMessage(failure)}
              </p>
            ) : null}
            <table className="flows-table" data-testid="users-table">
              <thead>
                <tr>
                  <th>Email</th>
                  <th>Role</th>
                  <th>Status</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {(users.data ?? []).map((u) => (
                  <tr key={u.id} data-testid={`user-row-${u.email}`}>
                    <td>{u.email}</td>
                    <td>
                      <select
                        className="input"
                        aria-label={`Role of ${u.email}`}
                        value={u.role}
                        disabled={u.email === session.email}
                        onChange={(e) => {
                          setUserRole.mutate({ userId: u.id, role: e.target.value as Role });
                        }}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      {u.disabled ? (
                        <span className="tag tag-bad">disabled</span>
                      ) : (
                        <span className="tag">active</span>
                      )}
                    </td>
                    <td>
                      {u.email === session.email ? null : (
                        <button
                          type="button"
                          className="btn btn-small"
                          onClick={() => {
                            setDisabled.mutate({ userId: u.id, disabled: !u.disabled });
                          }}
                        >
                          {u.disabled ? "Enable" : "Disable"}
                        </button>
                      )}
                    </td>
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
