"use client";
// Create or edit one connection profile: Kafka brokers (TLS, SASL) or a schema registry (URL,
// basic or bearer auth). The password or token is write-only: typed into a password field, sent
// once, never shown; left empty on an edit, the stored one is kept. "Test connection" tries the
// values as typed, from the server, without saving them.
import { useState } from "react";
import { SelectField, TextField } from "~/components/fields";
import { api, errorMessage } from "~/lib/trpc";
import type { TestResult } from "./connection-test-outcome";
import { TestOutcome } from "./connection-test-outcome";

export type SaslMechanism = "plain" | "scram-sha-256" | "scram-sha-512";
export type ConnectionKind = "kafka" | "schema-registry";
type RegistryAuth = "none" | "basic" | "bearer";

const KINDS: readonly ConnectionKind[] = ["kafka", "schema-registry"];
const KIND_LABELS = { kafka: "Kafka brokers", "schema-registry": "Schema registry" } as const;
const REGISTRY_AUTHS: readonly RegistryAuth[] = ["none", "basic", "bearer"];
const REGISTRY_AUTH_LABELS = { basic: "user and password (basic)", bearer: "bearer token" } as const;
const MECHANISMS: readonly (SaslMechanism | "none")[] = ["none", "plain", "scram-sha-256", "scram-sha-512"];
const MECHANISM_LABELS = {
  plain: "PLAIN",
  "scram-sha-256": "SCRAM-SHA-256",
  "scram-sha-512": "SCRAM-SHA-512",
} as const;

export interface ConnectionDraft {
  name: string;
  kind: ConnectionKind;
  brokers: string;
  ssl: boolean;
  mechanism: SaslMechanism | "none";
  /** Schema registry: its base URL and how it is signed in to. */
  url: string;
  registryAuth: RegistryAuth;
  username: string;
  /** The SASL or basic-auth password, or the bearer token: write-only. */
  password: string;
}

export const EMPTY_DRAFT: ConnectionDraft = {
  name: "",
  kind: "kafka",
  brokers: "",
  ssl: false,
  mechanism: "none",
  url: "",
  registryAuth: "none",
  username: "",
  password: "",
};

export interface ProfileInput {
  name: string;
  kind: ConnectionKind;
  config: Record<string, unknown>;
  secrets?: Record<string, unknown>;
}

/** What connections.set (and testDraft) take, from the form. */
export function toProfile(draft: ConnectionDraft): ProfileInput {
  if (draft.kind === "schema-registry") {
    const config: Record<string, unknown> = { url: draft.url.trim() };
    if (draft.registryAuth === "basic") config.auth = { kind: "basic", username: draft.username };
    if (draft.registryAuth === "bearer") config.auth = { kind: "bearer" };
    const profile = { name: draft.name, kind: draft.kind, config };
    if (draft.registryAuth === "none" || draft.password === "") return profile;
    const secret = draft.registryAuth === "basic" ? { password: draft.password } : { token: draft.password };
    return { ...profile, secrets: { auth: secret } };
  }
  const brokers = draft.brokers
    .split(/[\s,]+/)
    .map((b) => b.trim())
    .filter((b) => b !== "");
  const config: Record<string, unknown> = { brokers, ssl: draft.ssl };
  if (draft.mechanism !== "none") config.sasl = { mechanism: draft.mechanism, username: draft.username };
  const profile = { name: draft.name, kind: "kafka" as const, config };
  return draft.mechanism !== "none" && draft.password !== ""
    ? { ...profile, secrets: { sasl: { password: draft.password } } }
    : profile;
}

interface Props {
  initial: ConnectionDraft;
  editing: boolean;
  passwordStored: boolean;
  busy: boolean;
  onSave: (draft: ConnectionDraft) => void;
  onCancel: () => void;
}

export function ConnectionForm({ initial, editing, passwordStored, busy, onSave, onCancel }: Props) {
  const [draft, setDraft] = useState(initial);
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<TestResult | null>(null);
  const [testError, setTestError] = useState<string | null>(null);
  const set = (patch: Partial<ConnectionDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    // A result speaks of the values it tested: any change makes it stale.
    setResult(null);
    setTestError(null);
  };
  const testDraft = async () => {
    setTesting(true);
    setTestError(null);
    try {
      // A draft needs a name only to find a stored password to reuse; a new one may have none yet.
      const profile = toProfile({ ...draft, name: draft.name === "" ? "draft" : draft.name });
      setResult(await api.connections.testDraft.mutate(profile));
    } catch (error) {
      setResult(null);
      setTestError(errorMessage(error));
    } finally {
      setTesting(false);
    }
  };
  const registry = draft.kind === "schema-registry";
  const secretLabel = registry && draft.registryAuth === "bearer" ? "Token" : "Password";
  const wantsSecret = registry ? draft.registryAuth !== "none" : draft.mechanism !== "none";
  return (
    <form
      className="manage-form manage-form-wide"
      data-testid="connection-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(draft);
      }}
    >
      <TextField
        id="connection-name"
        data-testid="connection-name"
        value={draft.name}
        readOnly={editing}
        placeholder={registry ? "registry" : "kafka-prod"}
        autoComplete="off"
        spellCheck={false}
        onValue={(v) => {
          set({ name: v.trim() });
        }}
      >
        Name
      </TextField>
      <SelectField
        id="connection-kind"
        data-testid="connection-kind"
        value={draft.kind}
        options={KINDS}
        labels={KIND_LABELS}
        disabled={editing}
        onValue={(kind) => {
          set({ kind, password: "" });
        }}
      >
        Kind
      </SelectField>
      {registry ? (
        <>
          <TextField
            id="connection-url"
            data-testid="connection-url"
            value={draft.url}
            placeholder="http://registry:8081"
            autoComplete="off"
            spellCheck={false}
            help="The Confluent Schema Registry REST API, http(s)://host:port."
            onValue={(v) => {
              set({ url: v });
            }}
          >
            Registry URL
          </TextField>
          <SelectField
            id="connection-registry-auth"
            data-testid="connection-registry-auth"
            value={draft.registryAuth}
            options={REGISTRY_AUTHS}
            labels={REGISTRY_AUTH_LABELS}
            onValue={(registryAuth) => {
              set({ registryAuth });
            }}
          >
            Authentication
          </SelectField>
        </>
      ) : (
        <>
          <TextField
            id="connection-brokers"
            data-testid="connection-brokers"
            value={draft.brokers}
            placeholder="kafka-1:9092, kafka-2:9092"
            autoComplete="off"
            spellCheck={false}
            help="host:port, comma-separated."
            onValue={(v) => {
              set({ brokers: v });
            }}
          >
            Brokers
          </TextField>
          <div className="field">
            <label className="check">
              <input
                type="checkbox"
                data-testid="connection-ssl"
                checked={draft.ssl}
                onChange={(e) => {
                  set({ ssl: e.target.checked });
                }}
              />
              TLS (verified against the system&apos;s certificate authorities)
            </label>
          </div>
          <SelectField
            id="connection-sasl"
            data-testid="connection-sasl"
            value={draft.mechanism}
            options={MECHANISMS}
            labels={MECHANISM_LABELS}
            onValue={(mechanism) => {
              set({ mechanism });
            }}
          >
            SASL
          </SelectField>
        </>
      )}
      {wantsSecret && !(registry && draft.registryAuth === "bearer") ? (
        <TextField
          id="connection-username"
          data-testid="connection-username"
          value={draft.username}
          autoComplete="off"
          onValue={(v) => {
            set({ username: v });
          }}
        >
          User
        </TextField>
      ) : null}
      {wantsSecret ? (
        <TextField
          id="connection-password"
          data-testid="connection-password"
          type="password"
          autoComplete="new-password"
          value={draft.password}
          placeholder={passwordStored ? "stored: type to replace" : ""}
          onValue={(v) => {
            set({ password: v });
          }}
        >
          {secretLabel}
        </TextField>
      ) : null}
      {result ? <TestOutcome id="draft" result={result} /> : null}
      {testError !== null ? (
        <div
          className="test-outcome test-outcome-bad"
          data-testid="connection-test-result-draft"
          data-ok="false"
          role="alert"
        >
          <strong>Could not test</strong>: {testError}
        </div>
      ) : null}
      <div className="manage-form-actions">
        <button type="submit" className="btn btn-primary" data-testid="connection-save" disabled={busy}>
          {editing ? "Save changes" : "Create profile"}
        </button>
        <button
          type="button"
          className="btn"
          data-testid="connection-draft-test"
          title="Connects with the values typed above, from the server; nothing is saved"
          disabled={testing}
          onClick={() => void testDraft()}
        >
          {testing ? "Testing…" : "Test connection"}
        </button>
        <button type="button" className="btn btn-ghost" data-testid="connection-cancel" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
