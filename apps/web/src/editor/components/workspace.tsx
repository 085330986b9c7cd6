"use client";
// The editor once the flow and the node types are loaded: palette, canvas, inspector and the
// bottom panel around one document, with save, deploy, stop, versions and the live view.
import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import type { ReactFlowInstance } from "@xyflow/react";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ConfirmDialog } from "~/components/confirm-dialog";
import { EngineBanner } from "~/components/engine-banner";
import { keys } from "~/lib/query-keys";
import { api } from "~/lib/trpc";
import type { Clipboard, FlowDoc, NodeTypeInfo } from "../graph";
import { addNode, copySelection, freeSpot, outputPorts, paste, removeElements } from "../graph";
import { starterConfig } from "../starter";
import { BottomPanel } from "./bottom-panel";
import type { BottomTab } from "./bottom-panel";
import { Canvas, FIT_VIEW_OPTIONS } from "./canvas";
import type { CodeMarker } from "./code-editor-impl";
import type { DryRunResult } from "./dry-run-panel";
import { EditorHeader } from "./editor-header";
import { FlowFileButtons } from "./flow-file-buttons";
import { Inspector } from "./inspector";
import { Palette } from "./palette";
import { ProblemsPanel } from "./problems-panel";
import { TestPanel } from "./test-panel";
import { TraceHighlightContext } from "./trace-highlight";
import type { TracedTone } from "../trace";
import type { CompareSides } from "./use-comparison";
import { useEditorState } from "./use-editor-state";
import { useLiveStats } from "./use-live-stats";
import { useFlowActions } from "./use-flow-actions";
import { useShortcuts } from "./use-shortcuts";
import type { WeirFlowEdge } from "./weir-edge";
import type { WeirFlowNode } from "./weir-node";

/** What the server holds of a flow not saved yet: nothing, so the whole canvas is unsaved. */
const EMPTY_DOC: FlowDoc = { name: "", description: "", nodes: [], edges: [] };

// The Versions tab (with its Compare and diffs) and the comparison canvas are loaded when first
// shown: the editor page's own JavaScript stays within its budget (editor-weight.e2e.test.ts).
const VersionsPanel = dynamic(() => import("./versions-panel").then((m) => m.VersionsPanel), {
  ssr: false,
  loading: () => (
    <div className="panel-state" data-testid="versions-panel">
      <span data-testid="versions-loading">Loading versions…</span>
    </div>
  ),
});
// The other tabs but Test (the one shown first) load when first opened, for the same reason.
const DryRunPanel = dynamic(() => import("./dry-run-panel").then((m) => m.DryRunPanel), { ssr: false });
const LogsPanel = dynamic(() => import("./logs-panel").then((m) => m.LogsPanel), { ssr: false });
const StatePanel = dynamic(() => import("./state-panel").then((m) => m.StatePanel), { ssr: false });
const DeadLettersPanel = dynamic(() => import("./dead-letters-panel").then((m) => m.DeadLettersPanel), {
  ssr: false,
});
const ComparisonCanvas = dynamic(() => import("./comparison-canvas").then((m) => m.ComparisonCanvas), {
  ssr: false,
});

interface Props {
  /** Null for a new flow that is not saved yet (from a template): Save creates it. */
  flowId: string | null;
  initial: FlowDoc;
  version: number;
  nodeTypes: NodeTypeInfo[];
  contract: string;
}

export function Workspace({ flowId, initial, version, nodeTypes, contract }: Props) {
  const state = useEditorState(initial, version, flowId === null ? EMPTY_DOC : initial);
  const router = useRouter();
  const types = useMemo(() => new Map(nodeTypes.map((t) => [t.type, t])), [nodeTypes]);
  const live = useLiveStats(flowId);
  const [tab, setTab] = useState<BottomTab>("test");
  const [shownVersion, setShownVersion] = useState(version);
  const [testMarkers, setTestMarkers] = useState<ReadonlyMap<string, CodeMarker[]>>(new Map());
  const [rollingBack, setRollingBack] = useState<number | null>(null);
  /** The nodes an open trace view passed through, marked on the canvas. */
  const [traced, setTraced] = useState<ReadonlyMap<string, TracedTone> | null>(null);
  const [saveMessage, setSaveMessage] = useState("");
  const [dryRun, setDryRun] = useState<DryRunResult | null>(null);
  // The Versions tab's Compare, and whether the canvas shows it (then read-only, until left).
  const [compareSides, setCompareSides] = useState<CompareSides>(() => ({
    from: Math.max(1, version - 1),
    to: "canvas",
  }));
  const [comparing, setComparing] = useState(false);
  const leaveComparison = useCallback(() => {
    setComparing(false);
  }, []);
  const dryRunCounts = useMemo(
    () => (dryRun ? new Map(dryRun.edges.map((e) => [e.edgeId, e.records.length])) : undefined),
    [dryRun],
  );
  const fieldErrors = useRef(new Map<string, string>());
  const clipboard = useRef<Clipboard | null>(null);
  const pasteCount = useRef(0);
  const flowInstance = useRef<ReactFlowInstance<WeirFlowNode, WeirFlowEdge> | null>(null);

  // Polled as well as streamed: the header stays right even when the live stream is down.
  const status = useQuery({
    queryKey: keys.deployment(flowId ?? "new"),
    queryFn: () => (flowId === null ? null : api.deployment.status.query({ flowId })),
    enabled: flowId !== null,
    refetchInterval: 3000,
  });
  const deployment = live.deployment ?? status.data ?? null;
  const running =
    deployment !== null && (deployment.desiredState === "running" || deployment.actualState === "running");

  const selectedIds = [...state.selection.nodes];
  const selectedNode =
    selectedIds.length === 1 ? state.doc.nodes.find((n) => n.id === selectedIds[0]) : undefined;

  const codeMarkers = useMemo(() => {
    if (!selectedNode) return [];
    const fromSave = (state.problems?.byNode.get(selectedNode.id) ?? []).flatMap((p) =>
      p.field === "code" && p.line !== undefined
        ? [{ line: p.line, column: p.column, message: p.message }]
        : [],
    );
    return [...fromSave, ...(testMarkers.get(selectedNode.id) ?? [])];
  }, [selectedNode, state.problems, testMarkers]);

  const addAtCenter = useCallback(
    (info: NodeTypeInfo) => {
      const instance = flowInstance.current;
      const bounds = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
      const center =
        instance && bounds
          ? instance.screenToFlowPosition({
              x: bounds.left + bounds.width / 2,
              y: bounds.top + bounds.height / 2,
            })
          : { x: 0, y: 0 };
      const spot = freeSpot(state.doc, { x: center.x - 110, y: center.y - 50 });
      const { doc, nodeId } = addNode(state.doc, info, spot, starterConfig(info));
      state.edit(() => doc);
      state.select({ nodes: new Set([nodeId]), edges: new Set() });
    },
    [state],
  );

  const { busy, save, deploy, stop, openVersion, rollback } = useFlowActions({
    flowId,
    state,
    running,
    shownVersion,
    setShownVersion,
    fieldErrors,
    onProblems: () => {
      setTab("problems");
    },
    // The new flow now exists: the editor moves to its own address (the history entry replaced,
    // so Back does not reopen the unsaved template).
    onCreated: (id) => {
      router.replace(`/flows/${id}`);
    },
  });

  const saveWithMessage = useCallback(async () => {
    const saved = await save(saveMessage);
    if (saved !== null) setSaveMessage("");
  }, [save, saveMessage]);

  const deleteSelection = useCallback(() => {
    if (state.selection.nodes.size === 0 && state.selection.edges.size === 0) return;
    state.edit((doc) => removeElements(doc, state.selection.nodes, state.selection.edges));
    state.select({ nodes: new Set(), edges: new Set() });
  }, [state]);

  useShortcuts({
    save: () => void saveWithMessage(),
    undo: state.undo,
    redo: state.redo,
    deleteSelection,
    copy: () => {
      if (state.selection.nodes.size === 0) return;
      clipboard.current = copySelection(state.doc, state.selection.nodes);
      pasteCount.current = 0;
    },
    paste: () => {
      if (!clipboard.current || clipboard.current.nodes.length === 0) return;
      pasteCount.current += 1;
      const shift = 32 * pasteCount.current;
      const result = paste(state.doc, clipboard.current, { x: shift, y: shift });
      state.edit(() => result.doc);
      state.select({ nodes: new Set(result.nodeIds), edges: new Set() });
    },
  });

  const onValidity = useCallback((nodeId: string, key: string, error: string | null) => {
    const id = `${nodeId}.${key}`;
    if (error === null) fieldErrors.current.delete(id);
    else fieldErrors.current.set(id, error);
  }, []);

  // Closing the tab or leaving with unsaved changes asks first.
  const dirty = state.dirty;
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent): void => {
      event.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => {
      window.removeEventListener("beforeunload", warn);
    };
  }, [dirty]);

  const savedHasSelected =
    selectedNode !== undefined &&
    state.saved.nodes.some((n) => n.id === selectedNode.id && n.type === selectedNode.type);

  return (
    <TraceHighlightContext.Provider value={setTraced}>
      <div className="editor">
        <EditorHeader
          name={state.doc.name}
          onName={(name) => {
            state.edit((doc) => ({ ...doc, name }));
          }}
          savedVersion={state.savedVersion}
          shownVersion={shownVersion}
          dirty={state.dirty}
          deployment={deployment}
          liveError={live.error}
          livePaused={live.paused}
          busy={busy}
          canUndo={state.canUndo}
          canRedo={state.canRedo}
          onUndo={state.undo}
          onRedo={state.redo}
          onFit={() => void flowInstance.current?.fitView({ ...FIT_VIEW_OPTIONS, duration: 250 })}
          onSave={() => void saveWithMessage()}
          saveMessage={saveMessage}
          onSaveMessage={setSaveMessage}
          onDeploy={() => void deploy()}
          onStop={() => void stop()}
          actions={
            <FlowFileButtons
              doc={state.doc}
              onImport={(doc) => {
                state.edit(() => doc);
              }}
            />
          }
        />
        <EngineBanner deployment={deployment} />
        <div className="editor-main">
          <Palette types={nodeTypes} onAdd={addAtCenter} />
          <div className="editor-center">
            {/* The comparison lies over the editing canvas, which keeps its view and is inert meanwhile. */}
            <div className="canvas-stack">
              <div className="canvas-layer" inert={comparing}>
                <Canvas
                  state={state}
                  types={types}
                  live={running ? live.view : null}
                  traced={traced}
                  dryRunCounts={dryRunCounts}
                  onInit={(instance) => {
                    flowInstance.current = instance;
                  }}
                />
              </div>
              {comparing ? (
                <ComparisonCanvas
                  sides={compareSides}
                  flowId={flowId}
                  canvas={state.doc}
                  types={types}
                  latestVersion={state.savedVersion}
                  busy={busy !== null}
                  onRollback={setRollingBack}
                  onLeave={leaveComparison}
                />
              ) : null}
            </div>
            <BottomPanel tab={tab} onTab={setTab} badges={{ problems: state.problems?.all.length ?? 0 }}>
              {tab === "test" ? (
                <TestPanel
                  node={selectedNode}
                  ports={selectedNode ? outputPorts(selectedNode, types) : []}
                  onMarkers={(nodeId, markers) => {
                    setTestMarkers((all) => new Map(all).set(nodeId, markers));
                  }}
                />
              ) : tab === "dry-run" ? (
                <DryRunPanel
                  doc={state.doc}
                  selectedEdge={state.selection.edges.size === 1 ? [...state.selection.edges][0] : undefined}
                  result={dryRun}
                  onResult={setDryRun}
                  onSelectEdge={(edgeId) => {
                    state.select({ nodes: new Set(), edges: new Set([edgeId]) });
                  }}
                  onEdit={(change) => {
                    state.edit(change);
                  }}
                />
              ) : tab === "problems" ? (
                <ProblemsPanel
                  problems={state.problems}
                  onSelectNode={(nodeId) => {
                    state.select({ nodes: new Set([nodeId]), edges: new Set() });
                  }}
                />
              ) : flowId === null ? (
                <div className="panel-state" data-testid="not-saved-panel">
                  Not saved yet: Save creates this flow, then this tab shows its {tab.replace("-", " ")}.
                </div>
              ) : tab === "logs" ? (
                <LogsPanel flowId={flowId} node={selectedNode} saved={savedHasSelected} />
              ) : tab === "state" ? (
                <StatePanel flowId={flowId} node={selectedNode} saved={savedHasSelected} running={running} />
              ) : tab === "dead-letters" ? (
                <DeadLettersPanel flowId={flowId} />
              ) : (
                <VersionsPanel
                  flowId={flowId}
                  latestVersion={state.savedVersion}
                  shownVersion={shownVersion}
                  deployedVersion={running ? deployment.version : null}
                  canvas={state.doc}
                  contract={contract}
                  sides={compareSides}
                  onSides={setCompareSides}
                  comparing={comparing}
                  onCompare={(on) => {
                    // Nothing stays selected under the comparison, where Delete would act unseen.
                    if (on) state.select({ nodes: new Set(), edges: new Set() });
                    setComparing(on);
                  }}
                  busy={busy !== null}
                  onOpen={(n) => void openVersion(n)}
                  onRollback={setRollingBack}
                />
              )}
            </BottomPanel>
          </div>
          <Inspector
            flowId={flowId}
            state={state}
            types={types}
            contract={contract}
            codeMarkers={codeMarkers}
            onValidity={onValidity}
            running={running}
          />
        </div>
        {rollingBack !== null ? (
          <ConfirmDialog
            title={`Roll back to v${rollingBack}?`}
            message={`v${rollingBack} is saved again as the newest version${running ? " and deployed in place of the running one" : ""}.${state.dirty ? " Unsaved changes on the canvas are discarded." : ""} Nothing is lost: every version stays in the history.`}
            confirmLabel={running ? "Roll back and redeploy" : "Roll back"}
            onCancel={() => {
              setRollingBack(null);
            }}
            onConfirm={() => {
              const n = rollingBack;
              setRollingBack(null);
              setComparing(false);
              void rollback(n);
            }}
          />
        ) : null}
      </div>
    </TraceHighlightContext.Provider>
  );
}
