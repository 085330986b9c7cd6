"use client";
// What only function nodes have besides their config form: the runtime, the output ports they
// emit to, and the secrets they may read.
import type { FlowNode, PortSchema } from "@weir/domain";
import { idSchema } from "@weir/domain";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { keys } from "~/lib/query-keys";
import { api, errorMessage } from "~/lib/trpc";
import { ComponentPicker } from "./component-picker";
import { PortTypesFields } from "./port-types-fields";

interface Props {
  node: FlowNode;
  ports: string[];
  runtimes: string[];
  serverErrors: { outputs?: string; runtime?: string; secrets?: string; artifact?: string; schemas?: string };
  onRuntime: (runtime: string) => void;
  /** A component's sha256 to run instead of code, or undefined to run the code again. */
  onArtifact: (sha256: string | undefined) => void;
  onOutputs: (outputs: string[]) => void;
  onSecrets: (secrets: string[]) => void;
  /** Sets (or, with undefined, removes) the input's or an output port's type. */
  onSchema: (port: { input: true } | { output: string }, schema: PortSchema | undefined) => void;
  onValidity: (key: string, error: string | null) => void;
}

function parsePorts(text: string): { ok: true; ports: string[] } | { ok: false; error: string } {
  const ports = text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (ports.length === 0) return { ok: false, error: "needs at least one port" };
  for (const port of ports) {
    const checked = idSchema.safeParse(port);
    if (!checked.success)
      return {
        ok: false,
        error: `'${port}' ${checked.error.issues[0]?.message ?? "is not a valid port name"}`,
      };
  }
  const duplicate = ports.find((p, i) => ports.indexOf(p) !== i);
  if (duplicate !== undefined) return { ok: false, error: `'${duplicate}' is listed twice` };
  return { ok: true, ports };
}

export function FunctionSettings({
  node,
  ports,
  runtimes,
  serverErrors,
  onRuntime,
  onArtifact,
  onOutputs,
  onSecrets,
  onSchema,
  onValidity,
}: Props) {
  const secrets = useQuery({ queryKey: keys.secrets, queryFn: () => api.secrets.list.query() });
  const [portsText, setPortsText] = useState(ports.join(", "));
  const [portsError, setPortsError] = useState<string | null>(null);
  const portsKey = ports.join(",");
  useEffect(() => {
    setPortsText(portsKey.split(",").join(", "));
    setPortsError(null);
  }, [portsKey]);

  const runtime = typeof node.config.runtime === "string" ? node.config.runtime : "js";
  const chosen = Array.isArray(node.config.secrets)
    ? node.config.secrets.filter((s): s is string => typeof s === "string")
    : [];
  const known = new Set(secrets.data?.map((s) => s.name) ?? []);
  const missing = chosen.filter((name) => secrets.isSuccess && !known.has(name));

  return (
    <>
      <div className="field">
        <label htmlFor="runtime-select" className="field-label">
          Runtime
        </label>
        <select
          id="runtime-select"
          data-testid="runtime-select"
          className="input"
          value={runtime}
          disabled={runtimes.length < 2}
          title={runtimes.length < 2 ? "Only the js runtime is installed" : undefined}
          onChange={(e) => {
            onRuntime(e.target.value);
          }}
        >
          {(runtimes.length > 0 ? runtimes : ["js"]).map((r) => (
            <option key={r} value={r}>
              {r === "js"
                ? "js — TypeScript / JavaScript sandbox"
                : r === "wasm"
                  ? "wasm — WebAssembly component"
                  : r === "python"
                    ? "python — Python in a sandboxed process"
                    : r}
            </option>
          ))}
        </select>
        {runtimes.length < 2 ? (
          <div className="field-help">Only js is installed on this platform.</div>
        ) : null}
        {serverErrors.runtime ? (
          <div className="field-error" data-testid="field-error-runtime">
            {serverErrors.runtime}
          </div>
        ) : null}
      </div>

      {runtime === "wasm" ? (
        <ComponentPicker
          artifact={typeof node.config.artifact === "string" ? node.config.artifact : ""}
          serverError={serverErrors.artifact}
          onArtifact={onArtifact}
        />
      ) : null}

      <div className="field">
        <label htmlFor="field-outputs" className="field-label">
          Output ports
        </label>
        <input
          id="field-outputs"
          data-testid="field-outputs"
          className={`input${portsError ? " input-invalid" : ""}`}
          value={portsText}
          onChange={(e) => {
            setPortsText(e.target.value);
            const parsed = parsePorts(e.target.value);
            if (parsed.ok) {
              setPortsError(null);
              onValidity("outputs", null);
              if (parsed.ports.join(",") !== portsKey) onOutputs(parsed.ports);
            } else {
              setPortsError(parsed.error);
              onValidity("outputs", parsed.error);
            }
          }}
        />
        <div className="field-help">
          Comma-separated. The first gets what the handler returns; ctx.emit(port, record) sends to any.
        </div>
        {(portsError ?? serverErrors.outputs) ? (
          <div className="field-error" data-testid="field-error-outputs" role="alert">
            {portsError ?? serverErrors.outputs}
          </div>
        ) : null}
      </div>

      <PortTypesFields
        node={node}
        ports={ports}
        serverError={serverErrors.schemas}
        onSchema={onSchema}
        onValidity={onValidity}
      />

      <div className="field">
        <span className="field-label">Secrets it may read</span>
        {secrets.isPending ? (
          <div className="muted small" data-testid="secrets-loading">
            Loading secrets…
          </div>
        ) : secrets.isError ? (
          <div className="field-error" data-testid="secrets-error">
            Could not load secrets: {errorMessage(secrets.error)}
          </div>
        ) : secrets.data.length === 0 && chosen.length === 0 ? (
          <div className="muted small" data-testid="secrets-empty">
            No secrets are set yet. Add one on the{" "}
            <a href="/secrets" target="_blank" rel="noreferrer" data-testid="secrets-manage-link">
              Secrets page
            </a>{" "}
            (opens beside this editor); functions read them as ctx.secrets.NAME.
          </div>
        ) : (
          <div className="checks">
            {[...secrets.data.map((s) => s.name), ...missing].map((name) => (
              <label key={name} className="check">
                <input
                  type="checkbox"
                  data-testid={`secret-toggle-${name}`}
                  checked={chosen.includes(name)}
                  onChange={(e) => {
                    onSecrets(e.target.checked ? [...chosen, name] : chosen.filter((s) => s !== name));
                  }}
                />
                <code>ctx.secrets.{name}</code>
                {missing.includes(name) ? (
                  <span className="field-error inline"> not set: deploy will refuse it</span>
                ) : null}
              </label>
            ))}
          </div>
        )}
        {secrets.isSuccess && (secrets.data.length > 0 || chosen.length > 0) ? (
          <div className="field-help">
            <a href="/secrets" target="_blank" rel="noreferrer" data-testid="secrets-manage-link">
              Manage secrets
            </a>{" "}
            (opens beside this editor; come back and they are listed here)
          </div>
        ) : null}
        {serverErrors.secrets ? (
          <div className="field-error" data-testid="field-error-secrets">
            {serverErrors.secrets}
          </div>
        ) : null}
      </div>
    </>
  );
}
