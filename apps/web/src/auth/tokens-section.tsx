"use client";
// API tokens: create (shown once), list with last use, revoke.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ROLES, roleAtLeast } from "@weir/auth/roles";
import type { Role } from "@weir/auth/roles";
import { SelectField, TextField } from "~/components/fields";
import { api, errorMessage } from "~/lib/trpc";
import { useSession } from "./session";

const TOKENS_KEY = ["tokens", "list"] as const;

export function TokensSection() {
  const session = useSession();
  const queryClient = useQueryClient();
  const all = session.can("admin");
  const tokens = useQuery({ queryKey: [...TOKENS_KEY, all], queryFn: () => api.tokens.list.query({ all }) });
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>(session.role);
  const [days, setDays] = useState("");
  const [shown, setShown] = useState<{ name: string; token: string } | null>(null);
  const create = useMutation({
    mutationFn: () =>
      api.tokens.create.mutate({ name, role, ...(days.trim() ? { expiresInDays: Number(days) } : {}) }),
    onSuccess: async (made) => {
      setShown({ name: made.name, token: made.token });
      setName("");
      await queryClient.invalidateQueries({ queryKey: TOKENS_KEY });
    },
  });
  const revoke = useMutation({
    mutationFn: (tokenId: string) => api.tokens.revoke.mutate({ tokenId }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: TOKENS_KEY }),
  });
  return (
    <section className="manage-section">
      <h2>API tokens</h2>
      <p className="field-help">
        Scripts, the <code>weir</code> CLI and curl send a token as <code>Authorization: Bearer …</code>. A
        token acts with its role, never above yours.
      </p>
      <form
        className="manage-form"
        data-testid="token-form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <TextField required maxLength={100} data-testid="token-name" value={name} onValue={setName}>
          Name
        </TextField>
        <SelectField
          data-testid="token-role"
          value={role}
          options={ROLES.filter((r) => roleAtLeast(session.role, r))}
          onValue={setRole}
        >
          Role
        </SelectField>
        <TextField
          inputMode="numeric"
          pattern="[0-9]*"
          data-testid="token-days"
          value={days}
          onValue={setDays}
        >
          Expires after (days, empty for never)
        </TextField>
        <button
          type="submit"
          className="btn btn-primary"
          data-testid="token-create"
          disabled={create.isPending}
        >
          Create token
        </button>
        {create.isError ? (
          <p role="alert" className="field-error">
            {errorMessage(create.error)}
          </p>
        ) : null}
      </form>
      {shown ? (
        <div className="token-once" role="status" data-testid="token-shown">
          <p>
            Token <strong>{shown.name}</strong>: copy it now, it is not shown again.
          </p>
          <code data-testid="token-value">{shown.token}</code>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              setShown(null);
            }}
          >
            Done
          </button>
        </div>
      ) : null}
      <table className="flows-table" data-testid="tokens-table">
        <thead>
          <tr>
            <th>Name</th>
            {all ? <th>Owner</th> : null}
            <th>Role</th>
            <th>Starts with</th>
            <th>Expires</th>
            <th>Last used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(tokens.data ?? []).map((t) => (
            <tr key={t.id} data-testid={`token-row-${t.name}`}>
              <td>{t.name}</td>
              {all ? <td>{t.owner}</td> : null}
              <td>{t.role}</td>
              <td>
                <code>{t.prefix}…</code>
              </td>
              <td>{t.expiresAt ? new Date(t.expiresAt).toLocaleDateString() : "never"}</td>
              <td data-testid="token-last-used">
                {t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : "never"}
              </td>
              <td>
                {t.revokedAt ? (
                  <span className="tag">revoked</span>
                ) : (
                  <button
                    type="button"
                    className="btn btn-small btn-danger-text"
                    data-testid={`token-revoke-${t.name}`}
                    onClick={() => {
                      revoke.mutate(t.id);
                    }}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
