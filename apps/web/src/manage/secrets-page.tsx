"use client";
// Secrets: named values function nodes read as ctx.secrets.NAME. A value is typed once into a
// password field and never shown again (the API has no way to read one back); the list says
// which flows read each secret, and deleting one names them first.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { AppBar } from "~/components/app-bar";
import { ListState } from "~/components/list-state";
import { ConfirmDelete, DeleteButton, useDeleteMutation } from "~/components/confirm-delete";
import { FlowLinks, flowNames } from "~/components/flow-links";
import { useToast } from "~/components/toasts";
import { formatTime } from "~/lib/format";
import { keys } from "~/lib/query-keys";
import type { RouterOutputs } from "~/lib/trpc";
import { api, errorMessage } from "~/lib/trpc";
import { useSession } from "~/auth/session";

type SecretRow = RouterOutputs["secrets"]["list"][number];

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function SecretsPage() {
  const blocked = useSession().whyNot("admin", "Changing secrets");
  const toast = useToast();
  const queryClient = useQueryClient();
  const secrets = useQuery({ queryKey: keys.secrets, queryFn: () => api.secrets.list.query() });
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const [deleting, setDeleting] = useState<SecretRow | null>(null);
  const valueRef = useRef<HTMLInputElement>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.secrets });
  const exists = secrets.data?.some((s) => s.name === name) ?? false;
  const nameError =
    name !== "" && !NAME.test(name) ? "letters, digits and _, not starting with a digit" : null;

  const save = useMutation({
    mutationFn: () => api.secrets.set.mutate({ name, value }),
    onSuccess: async (saved) => {
      toast.success(exists ? `Replaced the value of ${saved.name}` : `Saved secret ${saved.name}`);
      setName("");
      setValue("");
      await refresh();
    },
    onError: (error) => {
      toast.error(`Could not save the secret: ${errorMessage(error)}`);
    },
  });
  const remove = useDeleteMutation({
    mutationFn: (secret: SecretRow) => api.secrets.delete.mutate({ name: secret.name }),
    deleted: (secret) => `Deleted secret ${secret.name}`,
    refresh,
  });

  return (
    <>
      <AppBar />
      <main className="page">
        <div className="page-head">
          <div>
            <h1>Secrets</h1>
            <p className="muted">
              Values a function reads as <code>ctx.secrets.NAME</code> once the node lists the secret. A value
              is write-only: nobody can read it back here or through the API.
            </p>
          </div>
        </div>

        <form
          className="manage-form"
          data-testid="secret-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (name === "" || nameError !== null) return;
            save.mutate();
          }}
        >
          <div className="field">
            <label htmlFor="secret-name" className="field-label">
              Name
            </label>
            <input
              id="secret-name"
              data-testid="secret-name"
              className={`input${nameError ? " input-invalid" : ""}`}
              value={name}
              placeholder="API_KEY"
              autoComplete="off"
              spellCheck={false}
              maxLength={256}
              onChange={(e) => {
                setName(e.target.value.trim());
              }}
            />
            {nameError ? (
              <div className="field-error" data-testid="secret-name-error" role="alert">
                {nameError}
              </div>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="secret-value" className="field-label">
              {exists ? `New value for ${name}` : "Value"}
            </label>
            <input
              id="secret-value"
              ref={valueRef}
              data-testid="secret-value"
              className="input"
              type="password"
              autoComplete="new-password"
              value={value}
              onChange={(e) => {
                setValue(e.target.value);
              }}
            />
          </div>
          <button
            type="submit"
            className="btn btn-primary"
            data-testid="secret-save"
            title={blocked}
            disabled={name === "" || nameError !== null || save.isPending || blocked !== undefined}
          >
            {exists ? "Replace value" : "Save secret"}
          </button>
        </form>

        <ListState
          query={secrets}
          testId="secrets"
          what="secrets"
          empty={
            <>
              <h2>No secrets yet</h2>
              <p className="muted">Give one a name and a value above.</p>
            </>
          }
        >
          {(rows) => (
            <table className="flows-table" data-testid="secrets-list">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Created</th>
                  <th>Updated</th>
                  <th>Used by</th>
                  <th aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {rows.map((secret) => (
                  <tr key={secret.name} data-testid={`secret-row-${secret.name}`}>
                    <td>
                      <code>{secret.name}</code>
                    </td>
                    <td className="muted small">
                      <time dateTime={secret.createdAt}>{formatTime(secret.createdAt)}</time>
                    </td>
                    <td className="muted small" data-testid={`secret-updated-${secret.name}`}>
                      <time dateTime={secret.updatedAt}>{formatTime(secret.updatedAt)}</time>
                    </td>
                    <td>
                      <FlowLinks flows={secret.flows} testId={`secret-flows-${secret.name}`} />
                    </td>
                    <td className="row-actions">
                      <button
                        type="button"
                        className="btn btn-small btn-ghost"
                        data-testid={`secret-replace-${secret.name}`}
                        onClick={() => {
                          setName(secret.name);
                          setValue("");
                          valueRef.current?.focus();
                        }}
                      >
                        Replace value
                      </button>
                      <DeleteButton
                        testId={`secret-delete-${secret.name}`}
                        blocked={blocked}
                        onClick={() => {
                          setDeleting(secret);
                        }}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </ListState>

        {deleting ? (
          <ConfirmDelete
            title={`Delete secret ${deleting.name}?`}
            message={
              deleting.flows.length > 0
                ? `${flowNames(deleting.flows)} ${deleting.flows.length === 1 ? "reads" : "read"} it: a deploy of ${deleting.flows.length === 1 ? "that flow" : "those flows"} will be refused, and a running one fails when it restarts. This cannot be undone.`
                : "No flow reads it. This cannot be undone."
            }
            onDelete={() => {
              remove.mutate(deleting);
            }}
            onClose={() => {
              setDeleting(null);
            }}
          />
        ) : null}
      </main>
    </>
  );
}
