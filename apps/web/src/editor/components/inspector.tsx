"use client";
// The selected node's settings: id and name, the config form generated from its type's schema
// (with inline messages), and for function nodes the code in Monaco plus runtime, ports and secrets.
import type { FlowNode, JsonValue } from "@weir/domain";
import { useMemo, useState } from "react";
import type { NodeTypeIndex } from "../graph";
import { connect, outputPorts, removeElements, setOutputs, updateNode } from "../graph";
import type { PlacedProblem } from "../problems";
import { fieldsOf } from "../schema-form";
import { CodeEditor } from "./code-editor";
import type { CodeMarker } from "./code-editor-impl";
import { ConfigField } from "./config-field";
import { ConnectControl } from "./connect-control";
import { EdgePeekPanel } from "./edge-peek-panel";
import { FunctionSettings } from "./function-settings";
import { IngestUrl } from "./ingest-url";
import { inputTypeDeclaration, pruneOutputSchemas, withSchema } from "../port-types";
import { EdgeTypeMessages } from "./edge-type-messages";
import { PortTypesFields } from "./port-types-fields";
import { RegistryType } from "./registry-type";
import type { DerivedTypes } from "./use-derived-types";
import { useDerivedTypes } from "./use-derived-types";
import { usesRegistry } from "../registry-draft";
import { NodeIcon } from "./node-icon";
import { useCoalescedEdit } from "./use-coalesced-edit";
import type { EditorState } from "./use-editor-state";

/** Config keys a function node edits outside the generic form. */
const FUNCTION_OWN_KEYS = new Set(["code", "runtime", "secrets", "artifact"]);

interface Props {
  /** Null for a new flow not saved yet. */
  flowId: string | null;
  state: EditorState;
  types: NodeTypeIndex;
  contract: string;
  codeMarkers: readonly CodeMarker[];
  onValidity: (nodeId: string, key: string, error: string | null) => void;
  /** The flow is running; nodes of the saved version are deployed. */
  running: boolean;
}

function setConfigKey(node: FlowNode, key: string, value: JsonValue | undefined): FlowNode {
  // Unset keys are left out, so the node type's default applies.
  const config = Object.fromEntries(Object.entries(node.config).filter(([k]) => k !== key));
  if (value !== undefined) config[key] = value;
  return { ...node, config };
}

/** Where a derived input type came from, in words: the registry subjects behind it. */
function derivedFrom(derived: DerivedTypes): string {
  const subjects = derived.registry
    .filter((l) => l.status === "typed" && l.subject !== null)
    .map((l) => `'${l.subject ?? ""}'${l.version === null ? "" : ` v${String(l.version)}`}`);
  return subjects.length > 0 ? `the schema registry subject ${subjects.join(", ")}` : "the ports feeding it";
}

/** The `Input` declaration for a function: its own input schema, else what the server derived. */
function functionInputType(node: FlowNode, derived: DerivedTypes | undefined): string {
  if (node.schemas?.input !== undefined || !derived?.input) return inputTypeDeclaration(node.schemas?.input);
  return inputTypeDeclaration(derived.input, derivedFrom(derived));
}

export function Inspector({ flowId, state, types, contract, codeMarkers, onValidity, running }: Props) {
  const [tab, setTab] = useState<"code" | "settings">("code");
  const editBurst = useCoalescedEdit(state);
  const selectedIds = [...state.selection.nodes];
  const node = selectedIds.length === 1 ? state.doc.nodes.find((n) => n.id === selectedIds[0]) : undefined;
  const info = node ? types.get(node.type) : undefined;
  const fields = useMemo(() => fieldsOf(info?.configJsonSchema), [info]);
  const derivedTypes = useDerivedTypes(state.doc, node?.id);

  // One saved edge selected while the flow runs: peek at the records crossing it.
  const peekedEdge =
    running && !node && selectedIds.length === 0 && state.selection.edges.size === 1
      ? state.saved.edges.find((e) => state.selection.edges.has(e.id))
      : undefined;
  // A draft (never saved) has no flow id and never runs.
  if (peekedEdge && flowId !== null) {
    const nameOf = (id: string): string => state.doc.nodes.find((n) => n.id === id)?.name ?? id;
    return (
      <aside className="inspector" data-testid="inspector">
        <EdgePeekPanel
          key={peekedEdge.id}
          flowId={flowId}
          edgeId={peekedEdge.id}
          label={`${nameOf(peekedEdge.from.node)}${peekedEdge.from.port === "out" ? "" : ` (${peekedEdge.from.port})`} → ${nameOf(peekedEdge.to.node)}`}
          onClose={() => {
            state.select({ nodes: new Set(), edges: new Set() });
          }}
        />
      </aside>
    );
  }

  if (!node) {
    return (
      <aside className="inspector" data-testid="inspector">
        <div className="inspector-empty" data-testid="inspector-empty">
          {selectedIds.length > 1 ? (
            <p>{selectedIds.length} nodes selected. Delete removes them; Ctrl+C / Ctrl+V copies them.</p>
          ) : state.selection.edges.size > 0 ? (
            <>
              <p>
                {state.selection.edges.size === 1 ? "An edge is" : `${state.selection.edges.size} edges are`}{" "}
                selected. Delete removes {state.selection.edges.size === 1 ? "it" : "them"}.
              </p>
              <EdgeTypeMessages doc={state.doc} edgeIds={state.selection.edges} />
            </>
          ) : (
            <>
              <p>Select a node to edit its settings.</p>
              <p className="muted small">
                Shortcuts: Delete, Ctrl+Z, Ctrl+Shift+Z (or Ctrl+Y), Ctrl+C, Ctrl+V, Ctrl+S.
              </p>
            </>
          )}
        </div>
      </aside>
    );
  }

  const nodeId = node.id;
  const problems: PlacedProblem[] = state.problems?.byNode.get(nodeId) ?? [];
  const fieldProblem = (key: string): string | undefined => problems.find((p) => p.field === key)?.message;
  const otherProblems = problems.filter(
    (p) =>
      p.field === undefined ||
      !fields.some((f) => f.key === p.field) ||
      (node.kind === "function" && FUNCTION_OWN_KEYS.has(p.field)),
  );
  const isFunction = node.kind === "function";
  const runtimeField = fields.find((f) => f.key === "runtime");
  const runtimes =
    runtimeField?.control.kind === "select"
      ? runtimeField.control.options.map((o) =>
          typeof o.value === "string" ? o.value : JSON.stringify(o.value),
        )
      : ["js"];
  const language =
    node.config.language === "javascript" || node.config.language === "python"
      ? node.config.language
      : "typescript";
  const update = (target: string, change: (n: FlowNode) => FlowNode): void => {
    editBurst(`${nodeId}:${target}`, (doc) => updateNode(doc, nodeId, change));
  };

  const settings = (
    <div className="inspector-body">
      <div className="field">
        <label className="field-label" htmlFor="inspector-node-name">
          Name
        </label>
        <input
          id="inspector-node-name"
          data-testid="inspector-node-name"
          className="input"
          placeholder={nodeId}
          maxLength={200}
          value={node.name ?? ""}
          onChange={(e) => {
            const name = e.target.value;
            update("name", (n) => {
              const { name: _old, ...rest } = n;
              return name === "" ? rest : { ...rest, name };
            });
          }}
        />
      </div>
      <ConnectControl
        doc={state.doc}
        types={types}
        node={node}
        onConnect={(port, target) => {
          state.edit((doc) => connect(doc, types, { node: nodeId, port }, target).doc);
        }}
      />
      {isFunction ? (
        <FunctionSettings
          node={node}
          ports={outputPorts(node, types)}
          runtimes={runtimes}
          serverErrors={{
            runtime: fieldProblem("runtime"),
            secrets: fieldProblem("secrets"),
            artifact: fieldProblem("artifact"),
            outputs: problems.find((p) => p.path[2] === "outputs")?.message,
            schemas: problems.find((p) => p.path[2] === "schemas")?.message,
          }}
          onRuntime={(runtime) => {
            // The python runtime reads Python and only it does: the language follows the runtime.
            state.edit((doc) =>
              updateNode(doc, nodeId, (n) => {
                const withRuntime = setConfigKey(n, "runtime", runtime);
                if (runtime === "python") return setConfigKey(withRuntime, "language", "python");
                return n.config.language === "python"
                  ? setConfigKey(withRuntime, "language", "typescript")
                  : withRuntime;
              }),
            );
          }}
          onArtifact={(sha256) => {
            // A wasm node runs a component or its code, never both: picking one drops the code.
            state.edit((doc) =>
              updateNode(doc, nodeId, (n) =>
                setConfigKey(
                  setConfigKey(n, "artifact", sha256),
                  "code",
                  sha256 === undefined ? "" : undefined,
                ),
              ),
            );
          }}
          onOutputs={(outputs) => {
            editBurst(`${nodeId}:outputs`, (doc) =>
              updateNode(setOutputs(doc, nodeId, outputs), nodeId, (n) => pruneOutputSchemas(n, outputs)),
            );
          }}
          onSchema={(port, schema) => {
            const key = "input" in port ? "input" : `output.${port.output}`;
            update(`schemas.${key}`, (n) => withSchema(n, port, schema));
          }}
          onSecrets={(secrets) => {
            state.edit((doc) => updateNode(doc, nodeId, (n) => setConfigKey(n, "secrets", secrets)));
          }}
          onValidity={(key, error) => {
            onValidity(nodeId, key, error);
          }}
        />
      ) : null}
      {fields
        .filter((f) => !(isFunction && FUNCTION_OWN_KEYS.has(f.key)))
        // Requirements are Python packages: only the python runtime has them.
        .filter((f) => !(isFunction && f.key === "requirements" && node.config.runtime !== "python"))
        .map((field) => (
          <ConfigField
            key={`${nodeId}:${field.key}`}
            field={field}
            value={node.config[field.key]}
            serverError={fieldProblem(field.key)}
            onValue={(value) => {
              update(`config.${field.key}`, (n) => setConfigKey(n, field.key, value));
            }}
            onValidity={(error) => {
              onValidity(nodeId, field.key, error);
            }}
          />
        ))}
      {usesRegistry(node) ? <RegistryType nodeId={nodeId} {...derivedTypes} /> : null}
      {!isFunction ? (
        <PortTypesFields
          node={node}
          ports={outputPorts(node, types)}
          serverError={problems.find((p) => p.path[2] === "schemas")?.message}
          onSchema={(port, schema) => {
            const key = "input" in port ? "input" : `output.${port.output}`;
            update(`schemas.${key}`, (n) => withSchema(n, port, schema));
          }}
          onValidity={(key, error) => {
            onValidity(nodeId, key, error);
          }}
        />
      ) : null}
      {node.type === "http-ingest" && flowId === null ? (
        <p className="muted small" data-testid="ingest-url-not-saved">
          Its URL exists once the flow is saved and deployed.
        </p>
      ) : node.type === "http-ingest" && flowId !== null ? (
        <IngestUrl
          flowId={flowId}
          nodeId={nodeId}
          deployed={running && state.saved.nodes.some((n) => n.id === nodeId && n.type === node.type)}
        />
      ) : null}
      {fields.length === 0 && !isFunction ? (
        <p className="muted small">This node type has no other settings.</p>
      ) : null}
    </div>
  );

  return (
    <aside className="inspector" data-testid="inspector" key={nodeId}>
      <header className="inspector-head">
        <span className={`inspector-icon kind-${node.kind}`}>
          <NodeIcon name={info?.icon ?? "unknown"} size={18} />
        </span>
        <div className="inspector-titles">
          <div className="inspector-title" data-testid="inspector-node-id">
            {nodeId}
          </div>
          <div className="muted small">
            {info?.name ?? node.type} · {node.kind}
          </div>
        </div>
        <button
          type="button"
          className="btn btn-small btn-ghost btn-danger-text"
          data-testid="inspector-delete"
          title="Delete this node (Delete)"
          onClick={() => {
            state.edit((doc) => removeElements(doc, [nodeId]));
            state.select({ nodes: new Set(), edges: new Set() });
          }}
        >
          Delete
        </button>
      </header>
      {otherProblems.length > 0 ? (
        <ul className="inspector-problems" data-testid="inspector-problems">
          {otherProblems.map((p, i) => (
            <li key={i}>
              <code>{p.where}</code> {p.message}
            </li>
          ))}
        </ul>
      ) : null}
      {isFunction ? (
        <>
          <div className="tabs tabs-small" role="tablist">
            <button
              type="button"
              role="tab"
              aria-selected={tab === "code"}
              className={`tab${tab === "code" ? " tab-active" : ""}`}
              data-testid="inspector-tab-code"
              onClick={() => {
                setTab("code");
              }}
            >
              Code
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={tab === "settings"}
              className={`tab${tab === "settings" ? " tab-active" : ""}`}
              data-testid="inspector-tab-settings"
              onClick={() => {
                setTab("settings");
              }}
            >
              Settings
            </button>
          </div>
          <div className="inspector-code" hidden={tab !== "code"}>
            {node.schemas?.input === undefined && derivedTypes.derived?.input ? (
              <p className="muted small derived-input-type" data-testid="derived-input-type">
                record.value is typed from {derivedFrom(derivedTypes.derived)}
              </p>
            ) : null}
            <CodeEditor
              flowId={flowId ?? "new"}
              nodeId={nodeId}
              value={typeof node.config.code === "string" ? node.config.code : ""}
              language={language}
              contract={contract}
              inputType={functionInputType(node, derivedTypes.derived)}
              markers={codeMarkers}
              onChange={(code) => {
                update("config.code", (n) => setConfigKey(n, "code", code));
              }}
            />
          </div>
          {tab === "settings" ? settings : null}
        </>
      ) : (
        settings
      )}
    </aside>
  );
}
