"use client";
// Drop a .wasm here or pick one: the bytes go to POST /api/artifacts, which runs the same
// inspector as every upload, and its verdict is shown: the world, exports and imports of an
// accepted component, or why it was refused (nothing is stored then).
import { useRef, useState } from "react";
import type { RouterOutputs } from "~/lib/trpc";
import { useSession } from "~/auth/session";

type Artifact = Omit<RouterOutputs["artifacts"]["list"][number], "flows">;

export type UploadVerdict =
  | { ok: true; file: string; artifact: Artifact & { created: boolean } }
  | { ok: false; file: string; message: string };

/** Sends one file; never throws: a refusal or a network failure is a verdict too. */
async function upload(file: File): Promise<UploadVerdict> {
  try {
    const res = await fetch(`/api/artifacts?name=${encodeURIComponent(file.name)}`, {
      method: "POST",
      headers: { "content-type": "application/wasm" },
      body: file,
    });
    const body = (await res.json()) as unknown;
    if (!res.ok) {
      const refused = body as { error?: { message?: string } };
      return {
        ok: false,
        file: file.name,
        message: refused.error?.message ?? `the server answered ${String(res.status)}`,
      };
    }
    return { ok: true, file: file.name, artifact: body as Artifact & { created: boolean } };
  } catch (error) {
    return { ok: false, file: file.name, message: error instanceof Error ? error.message : String(error) };
  }
}

function metadataList(metadata: unknown, key: "imports" | "exports"): string[] {
  if (typeof metadata !== "object" || metadata === null) return [];
  const list = (metadata as Record<string, unknown>)[key];
  return Array.isArray(list) ? list.filter((v): v is string => typeof v === "string") : [];
}

export function Verdict({ verdict }: { verdict: UploadVerdict }) {
  if (!verdict.ok) {
    return (
      <div
        className="test-outcome test-outcome-bad"
        data-testid="component-verdict"
        data-ok="false"
        role="alert"
      >
        <strong>{verdict.file} was refused:</strong>{" "}
        <span data-testid="component-verdict-reason">{verdict.message}</span>
      </div>
    );
  }
  const { artifact } = verdict;
  return (
    <div
      className="test-outcome test-outcome-ok"
      data-testid="component-verdict"
      data-ok="true"
      role="status"
    >
      <strong>{verdict.file}</strong> {artifact.created ? "is stored" : "was already stored"} as{" "}
      <code data-testid="component-verdict-sha">{artifact.sha256}</code>. World <code>{artifact.world}</code>;
      exports {metadataList(artifact.metadata, "exports").join(", ") || "none"}; imports{" "}
      {metadataList(artifact.metadata, "imports").join(", ") || "none"}.
    </div>
  );
}

export function ComponentUpload({ onUploaded }: { onUploaded: (verdict: UploadVerdict) => void }) {
  const blocked = useSession().whyNot("editor", "Uploading a component");
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);

  const send = async (files: FileList | null) => {
    const file = files?.[0];
    if (!file || blocked !== undefined) return;
    setBusy(file.name);
    const verdict = await upload(file);
    setBusy(null);
    if (input.current) input.current.value = "";
    onUploaded(verdict);
  };

  return (
    <div
      className={`drop-zone${over ? " drop-zone-over" : ""}`}
      data-testid="component-drop"
      data-over={over}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => {
        setOver(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        void send(e.dataTransfer.files);
      }}
    >
      {busy !== null ? (
        <span data-testid="component-uploading">Checking {busy}…</span>
      ) : (
        <>
          <span>Drop a WebAssembly component (.wasm) here, or </span>
          {blocked !== undefined ? <span className="field-help">{blocked}</span> : null}
          <label htmlFor="component-file" className="btn btn-small">
            choose a file
          </label>
          <input
            id="component-file"
            ref={input}
            data-testid="component-file"
            type="file"
            accept=".wasm,application/wasm"
            className="visually-hidden"
            disabled={blocked !== undefined}
            onChange={(e) => void send(e.target.files)}
          />
        </>
      )}
    </div>
  );
}
