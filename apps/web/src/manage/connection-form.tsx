"use client";
// Create or edit one Kafka connection profile. The SASL password is write-only: typed into a
// password field, sent once, never shown; left empty on an edit, the stored one is kept.
import { useState } from "react";

export type SaslMechanism = "plain" | "scram-sha-256" | "scram-sha-512";

export interface ConnectionDraft {
  name: string;
  brokers: string;
  ssl: boolean;
  mechanism: SaslMechanism | "none";
  username: string;
  password: string;
}

export const EMPTY_DRAFT: ConnectionDraft = {
  name: "",
  brokers: "",
  ssl: false,
  mechanism: "none",
  username: "",
  password: "",
};

/** What connections.set takes, from the form. */
export function toProfile(draft: ConnectionDraft): {
  name: string;
  kind: "kafka";
  config: Record<string, unknown>;
  secrets?: Record<string, unknown>;
} {
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
  const set = (patch: Partial<ConnectionDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
  };
  return (
    <form
      className="manage-form manage-form-wide"
      data-testid="connection-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(draft);
      }}
    >
      <div className="field">
        <label htmlFor="connection-name" className="field-label">
          Name
        </label>
        <input
          id="connection-name"
          data-testid="connection-name"
          className="input"
          value={draft.name}
          readOnly={editing}
          placeholder="kafka-prod"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => {
            set({ name: e.target.value.trim() });
          }}
        />
      </div>
      <div className="field">
        <label htmlFor="connection-brokers" className="field-label">
          Brokers
        </label>
        <input
          id="connection-brokers"
          data-testid="connection-brokers"
          className="input"
          value={draft.brokers}
          placeholder="kafka-1:9092, kafka-2:9092"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => {
            set({ brokers: e.target.value });
          }}
        />
        <div className="field-help">host:port, comma-separated.</div>
      </div>
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
      <div className="field">
        <label htmlFor="connection-sasl" className="field-label">
          SASL
        </label>
        <select
          id="connection-sasl"
          data-testid="connection-sasl"
          className="input"
          value={draft.mechanism}
          onChange={(e) => {
            set({ mechanism: e.target.value as ConnectionDraft["mechanism"] });
          }}
        >
          <option value="none">none</option>
          <option value="plain">PLAIN</option>
          <option value="scram-sha-256">SCRAM-SHA-256</option>
          <option value="scram-sha-512">SCRAM-SHA-512</option>
        </select>
      </div>
      {draft.mechanism !== "none" ? (
        <>
          <div className="field">
            <label htmlFor="connection-username" className="field-label">
              User
            </label>
            <input
              id="connection-username"
              data-testid="connection-username"
              className="input"
              value={draft.username}
              autoComplete="off"
              onChange={(e) => {
                set({ username: e.target.value });
              }}
            />
          </div>
          <div className="field">
            <label htmlFor="connection-password" className="field-label">
              Password
            </label>
            <input
              id="connection-password"
              data-testid="connection-password"
              className="input"
              type="password"
              autoComplete="new-password"
              value={draft.password}
              placeholder={passwordStored ? "stored: type to replace" : ""}
              onChange={(e) => {
                set({ password: e.target.value });
              }}
            />
          </div>
        </>
      ) : null}
      <div className="manage-form-actions">
        <button type="submit" className="btn btn-primary" data-testid="connection-save" disabled={busy}>
          {editing ? "Save changes" : "Create profile"}
        </button>
        <button type="button" className="btn btn-ghost" data-testid="connection-cancel" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
