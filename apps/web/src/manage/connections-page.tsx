"use client";
// Connections: Kafka connection profiles that Kafka sources and sinks name in `connection`, and
// schema-registry profiles they name in `registry`. "Test connection" connects from the server
// with the stored profile (or, in the form, with the values typed so far) and lists the topics or
// subjects, or says which of unreachable / authentication / TLS failed and the client's own words.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { AppBar } from "~/components/app-bar";
import { ListState } from "~/components/list-state";
import { ConfirmDelete, DeleteButton, useDeleteMutation } from "~/components/confirm-delete";
import { FlowLinks, flowNames } from "~/components/flow-links";
import { useToast } from "~/components/toasts";
import { keys } from "~/lib/query-keys";
import type { RouterOutputs } from "~/lib/trpc";
import { api, errorMessage } from "~/lib/trpc";
import type { ConnectionDraft, SaslMechanism } from "./connection-form";
import { ConnectionForm, EMPTY_DRAFT, toProfile } from "./connection-form";
import type { TestResult } from "./connection-test-outcome";
import { TestOutcome } from "./connection-test-outcome";
import { useSession } from "~/auth/session";

type Profile = RouterOutputs["connections"]["list"][number];
interface KafkaConfig {
  brokers?: string[];
  ssl?: boolean;
  sasl?: { mechanism?: SaslMechanism; username?: string };
}

interface RegistryConfig {
  url?: string;
  auth?: { kind?: "basic" | "bearer"; username?: string };
}

const configOf = (profile: Profile): KafkaConfig => (profile.config ?? {}) as KafkaConfig;

function draftOf(profile: Profile): ConnectionDraft {
  if (profile.kind === "schema-registry") {
    const config = (profile.config ?? {}) as RegistryConfig;
    return {
      ...EMPTY_DRAFT,
      name: profile.name,
      kind: "schema-registry",
      url: config.url ?? "",
      registryAuth: config.auth?.kind ?? "none",
      username: config.auth?.username ?? "",
    };
  }
  const config = configOf(profile);
  return {
    ...EMPTY_DRAFT,
    name: profile.name,
    brokers: (config.brokers ?? []).join(", "),
    ssl: config.ssl ?? false,
    mechanism: config.sasl?.mechanism ?? "none",
    username: config.sasl?.username ?? "",
  };
}

export function ConnectionsPage() {
  const blocked = useSession().whyNot("admin", "Changing connection profiles");
  const toast = useToast();
  const queryClient = useQueryClient();
  const profiles = useQuery({ queryKey: keys.connections, queryFn: () => api.connections.list.query() });
  const [editing, setEditing] = useState<Profile | "new" | null>(null);
  const [deleting, setDeleting] = useState<Profile | null>(null);
  const [results, setResults] = useState<Record<string, TestResult>>({});
  const [testing, setTesting] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.connections });

  const save = useMutation({
    mutationFn: (draft: ConnectionDraft) => api.connections.set.mutate(toProfile(draft)),
    onSuccess: async (saved) => {
      toast.success(`Saved connection profile ${saved.name}`);
      setEditing(null);
      setResults(({ [saved.name]: _old, ...rest }) => rest);
      await refresh();
    },
    onError: (error) => {
      toast.error(`Could not save: ${errorMessage(error)}`);
    },
  });
  const remove = useDeleteMutation({
    mutationFn: (profile: Profile) => api.connections.delete.mutate({ name: profile.name }),
    deleted: (profile) => `Deleted connection profile ${profile.name}`,
    refresh,
  });
  const runTest = async (name: string, kind: string) => {
    setTesting(name);
    try {
      // Kafka profiles list topics; schema-registry profiles list subjects.
      const result =
        kind === "schema-registry"
          ? await api.connections.testRegistry.mutate({ name })
          : await api.connections.test.mutate({ name });
      setResults((all) => ({ ...all, [name]: result }));
    } catch (error) {
      toast.error(`Could not test ${name}: ${errorMessage(error)}`);
    } finally {
      setTesting(null);
    }
  };

  return (
    <>
      <AppBar />
      <main className="page">
        <div className="page-head">
          <div>
            <h1>Connections</h1>
            <p className="muted">
              Kafka brokers, TLS and SASL defined once; Kafka sources and sinks name a profile in their{" "}
              <code>connection</code> field, and a schema registry in their <code>registry</code> field.
              Passwords are write-only.
            </p>
          </div>
          {editing === null ? (
            <button
              type="button"
              className="btn btn-primary"
              data-testid="connection-new"
              title={blocked}
              disabled={blocked !== undefined}
              onClick={() => {
                setEditing("new");
              }}
            >
              New profile
            </button>
          ) : null}
        </div>

        {editing !== null ? (
          <ConnectionForm
            key={editing === "new" ? "new" : editing.name}
            initial={editing === "new" ? EMPTY_DRAFT : draftOf(editing)}
            editing={editing !== "new"}
            passwordStored={
              editing !== "new" &&
              (editing.secrets["sasl.password"]?.set === true ||
                editing.secrets["auth.password"]?.set === true ||
                editing.secrets["auth.token"]?.set === true)
            }
            busy={save.isPending}
            onSave={(draft) => {
              save.mutate(draft);
            }}
            onCancel={() => {
              setEditing(null);
            }}
          />
        ) : null}

        <ListState
          query={profiles}
          testId="connections"
          what="connection profiles"
          empty={
            <>
              <h2>No connection profiles yet</h2>
              <p className="muted">Create one with New profile; test it before a flow uses it.</p>
            </>
          }
        >
          {(rows) => (
            <table className="flows-table" data-testid="connections-list">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Address</th>
                  <th>Security</th>
                  <th>Used by</th>
                  <th aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {rows.map((profile) => {
                  const config = configOf(profile);
                  const result = results[profile.name];
                  return (
                    <tr key={profile.name} data-testid={`connection-row-${profile.name}`}>
                      <td>
                        <strong>{profile.name}</strong>
                        {result ? <TestOutcome id={profile.name} result={result} /> : null}
                      </td>
                      <td className="small" data-testid={`connection-brokers-${profile.name}`}>
                        {profile.kind === "kafka" ? (
                          <code>{(config.brokers ?? []).join(", ")}</code>
                        ) : (
                          <>
                            <span className="tag">{profile.kind}</span>{" "}
                            <code>{(profile.config as RegistryConfig | null)?.url ?? ""}</code>
                          </>
                        )}
                      </td>
                      <td className="small">
                        {profile.kind === "kafka" ? (
                          <>
                            {config.ssl ? (
                              <span className="tag tag-info">TLS</span>
                            ) : (
                              <span className="tag">plaintext</span>
                            )}
                            {config.sasl ? (
                              <span className="tag tag-info">
                                SASL {config.sasl.mechanism} as {config.sasl.username}
                              </span>
                            ) : null}
                          </>
                        ) : null}
                      </td>
                      <td>
                        <FlowLinks flows={profile.flows} testId={`connection-flows-${profile.name}`} />
                      </td>
                      <td className="row-actions">
                        <button
                          type="button"
                          className="btn btn-small"
                          data-testid={`connection-test-${profile.name}`}
                          disabled={testing !== null}
                          onClick={() => void runTest(profile.name, profile.kind)}
                        >
                          {testing === profile.name ? "Testing…" : "Test connection"}
                        </button>
                        <button
                          type="button"
                          className="btn btn-small btn-ghost"
                          data-testid={`connection-edit-${profile.name}`}
                          onClick={() => {
                            setEditing(profile);
                          }}
                        >
                          Edit
                        </button>
                        <DeleteButton
                          testId={`connection-delete-${profile.name}`}
                          onClick={() => {
                            setDeleting(profile);
                          }}
                        />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </ListState>

        {deleting ? (
          <ConfirmDelete
            title={`Delete connection profile ${deleting.name}?`}
            message={
              deleting.flows.length > 0
                ? `${flowNames(deleting.flows)} ${deleting.flows.length === 1 ? "uses" : "use"} it: a deploy of ${deleting.flows.length === 1 ? "that flow" : "those flows"} will be refused until a profile of this name exists again. This cannot be undone.`
                : "No flow uses it. This cannot be undone."
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
