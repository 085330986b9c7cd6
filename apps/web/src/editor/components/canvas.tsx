"use client";
// The React Flow canvas, controlled by the editor's document: every change goes through the pure
// edits in ../graph, so undo, problems and saving see exactly what is drawn.
import type {
  Connection,
  EdgeChange,
  FinalConnectionState,
  NodeChange,
  ReactFlowInstance,
} from "@xyflow/react";
import { Background, Controls, MarkerType, MiniMap, ReactFlow, useReactFlow } from "@xyflow/react";
import type { DragEvent } from "react";
import { useCallback, useMemo, useRef, useState } from "react";
import type { FlowDoc, NodeTypeIndex } from "../graph";
import { addNode, canConnect, connect, moveNodes, outputPorts } from "../graph";
import { edgeTypeFlags } from "../port-types";
import { starterConfig } from "../starter";
import type { LiveView } from "../live";
import type { TracedTone } from "../trace";
import type { PlacedProblems } from "../problems";
import type { EditorState } from "./use-editor-state";
import type { WeirFlowEdge } from "./weir-edge";
import { WeirEdge } from "./weir-edge";
import type { WeirFlowNode } from "./weir-node";
import { WeirNode } from "./weir-node";

export const PALETTE_MIME = "application/x-weir-node-type";

const nodeTypes = { weir: WeirNode };
const edgeTypes = { weir: WeirEdge };
const NO_PROBLEMS: never[] = [];

/**
 * Fitting leaves room at the bottom for the minimap (168×112 px in the lower-right corner, see
 * editor.css), so it never covers the counters of the lowest, rightmost node.
 */
export const FIT_VIEW_OPTIONS = {
  padding: { top: "48px", left: "48px", right: "48px", bottom: "150px" },
  maxZoom: 1.2,
} as const;

interface Props {
  state: EditorState;
  types: NodeTypeIndex;
  live: LiveView | null;
  /** The nodes an open trace passed through (marked on the canvas), or null. */
  traced?: ReadonlyMap<string, TracedTone> | null | undefined;
  /** Records each edge carried in the last dry run, by edge id (shown on the edge). */
  dryRunCounts?: ReadonlyMap<string, number> | undefined;
  onInit: (instance: ReactFlowInstance<WeirFlowNode, WeirFlowEdge>) => void;
}

function toFlowNodes(
  doc: FlowDoc,
  types: NodeTypeIndex,
  state: EditorState,
  problems: PlacedProblems | null,
  live: LiveView | null,
  sizes: ReadonlyMap<string, { width: number; height: number }>,
  traced: ReadonlyMap<string, TracedTone> | null,
): WeirFlowNode[] {
  return doc.nodes.map((node) => {
    const flowNode: WeirFlowNode = {
      id: node.id,
      type: "weir",
      position: node.position,
      selected: state.selection.nodes.has(node.id),
      data: {
        node,
        info: types.get(node.type),
        ports: outputPorts(node, types),
        problems: problems?.byNode.get(node.id) ?? NO_PROBLEMS,
        live: live?.nodes.get(node.id),
        traced: traced?.get(node.id),
      },
    };
    const measured = sizes.get(node.id);
    if (measured) flowNode.measured = measured;
    return flowNode;
  });
}

/** `ids` with each of `changes` applied (selected or not). */
function toggled(ids: ReadonlySet<string>, changes: readonly [string, boolean][]): Set<string> {
  const next = new Set(ids);
  for (const [id, selected] of changes) {
    if (selected) next.add(id);
    else next.delete(id);
  }
  return next;
}

export function Canvas({ state, types, live, traced = null, dryRunCounts, onInit }: Props) {
  const flow = useReactFlow<WeirFlowNode, WeirFlowEdge>();
  const [sizes, setSizes] = useState<Map<string, { width: number; height: number }>>(new Map());
  const [refused, setRefused] = useState<{ reason: string; kind: "refused" | "types" } | null>(null);
  const refusedTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const dragging = useRef(false);
  // Fitting an empty canvas would zoom onto the first node dropped, moving the view under the
  // user's hand; so the view is fitted on open only when there is something to fit.
  const [fitOnOpen] = useState(() => state.doc.nodes.length > 0);
  // React Flow keeps the callbacks it was given while a gesture runs; they read the document here.
  const docRef = useRef(state.doc);
  docRef.current = state.doc;

  const nodes = useMemo(
    () => toFlowNodes(state.doc, types, state, state.problems, live, sizes, traced),
    [state, types, live, sizes, traced],
  );
  // Typed ports: edges whose types cannot fit are flagged as drawn (the save refuses them too).
  const typeFlags = useMemo(() => edgeTypeFlags(state.doc), [state.doc]);
  const edges = useMemo<WeirFlowEdge[]>(
    () =>
      state.doc.edges.map((edge) => ({
        id: edge.id,
        type: "weir",
        source: edge.from.node,
        sourceHandle: edge.from.port,
        target: edge.to.node,
        targetHandle: "in",
        selected: state.selection.edges.has(edge.id),
        markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
        data: {
          live: live?.edges.get(edge.id),
          dryRun: dryRunCounts?.get(edge.id),
          problems: state.problems?.byEdge.get(edge.id) ?? NO_PROBLEMS,
          typeFlag: typeFlags.get(edge.id),
        },
      })),
    [state.doc.edges, state.selection.edges, state.problems, live, dryRunCounts, typeFlags],
  );

  const showRefused = useCallback((reason: string, kind: "refused" | "types" = "refused") => {
    setRefused({ reason, kind });
    clearTimeout(refusedTimer.current);
    refusedTimer.current = setTimeout(() => {
      setRefused(null);
    }, 5000);
  }, []);

  const onNodesChange = useCallback(
    (changes: NodeChange<WeirFlowNode>[]) => {
      const moved = new Map<string, { x: number; y: number }>();
      let dragEnded = false;
      const selecting: [string, boolean][] = [];
      const measured: [string, { width: number; height: number }][] = [];
      for (const change of changes) {
        switch (change.type) {
          case "position":
            if (change.position) moved.set(change.id, change.position);
            if (change.dragging === false) dragEnded = true;
            break;
          case "select":
            selecting.push([change.id, change.selected]);
            break;
          case "dimensions":
            if (change.dimensions) measured.push([change.id, change.dimensions]);
            break;
          case "add":
          case "remove":
          case "replace":
            // Nodes are added and removed through the editor's own edits (palette, Delete key).
            break;
        }
      }
      if (moved.size > 0) {
        if (dragging.current) state.amend((doc) => moveNodes(doc, moved));
        else state.edit((doc) => moveNodes(doc, moved));
        dragging.current = true;
      }
      if (dragEnded) dragging.current = false;
      // Changes of the current selection, not of this render's copy: selecting an edge reports the
      // edge, then the nodes it deselects, and the second report must not undo the first.
      if (selecting.length > 0)
        state.select((current) => ({ nodes: toggled(current.nodes, selecting), edges: current.edges }));
      if (measured.length > 0)
        setSizes((previous) => {
          const next = new Map(previous);
          for (const [id, size] of measured) next.set(id, size);
          return next;
        });
    },
    [state],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<WeirFlowEdge>[]) => {
      const selecting: [string, boolean][] = [];
      for (const change of changes)
        if (change.type === "select") selecting.push([change.id, change.selected]);
      if (selecting.length > 0)
        state.select((current) => ({ nodes: current.nodes, edges: toggled(current.edges, selecting) }));
    },
    [state],
  );

  const isValidConnection = useCallback(
    (connection: Connection | WeirFlowEdge) => {
      const port = connection.sourceHandle;
      if (port === null || port === undefined) return false;
      return canConnect(docRef.current, types, { node: connection.source, port }, connection.target).ok;
    },
    [types],
  );

  const onConnect = useCallback(
    (connection: Connection) => {
      const port = connection.sourceHandle;
      if (port === null) return;
      const result = connect(docRef.current, types, { node: connection.source, port }, connection.target);
      if ("refused" in result) showRefused(result.refused);
      else {
        state.edit(() => result.doc);
        // Drawn, not refused: either port's type may be what the user fixes next.
        const flag = edgeTypeFlags(result.doc).get(result.edgeId);
        if (flag) showRefused(flag.message, "types");
      }
    },
    [types, state, showRefused],
  );

  // React Flow drops an invalid connection without a word; say why it was refused.
  const onConnectEnd = useCallback(
    (_event: MouseEvent | TouchEvent, connection: FinalConnectionState) => {
      const from = connection.fromNode;
      const to = connection.toNode;
      if (connection.isValid === true || !from || !to) return;
      const handle = connection.fromHandle;
      const port = handle.id;
      if (handle.type !== "source" || port === null || port === undefined) {
        showRefused("drag from an output port (right side) to an input (left side)");
        return;
      }
      const check = canConnect(docRef.current, types, { node: from.id, port }, to.id);
      if (!check.ok) showRefused(check.reason);
    },
    [types, showRefused],
  );

  const onDrop = useCallback(
    (event: DragEvent) => {
      event.preventDefault();
      const type = event.dataTransfer.getData(PALETTE_MIME);
      const info = types.get(type);
      if (!info) return;
      const position = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      let added = "";
      state.edit((doc) => {
        const result = addNode(doc, info, { x: position.x - 90, y: position.y - 30 }, starterConfig(info));
        added = result.nodeId;
        return result.doc;
      });
      if (added !== "") state.select({ nodes: new Set([added]), edges: new Set() });
    },
    [flow, types, state],
  );

  return (
    <div
      className="canvas"
      data-testid="canvas"
      onDragOver={(event) => {
        if (event.dataTransfer.types.includes(PALETTE_MIME)) {
          event.preventDefault();
          event.dataTransfer.dropEffect = "copy";
        }
      }}
      onDrop={onDrop}
    >
      <ReactFlow<WeirFlowNode, WeirFlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onInit={onInit}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={["Meta", "Control"]}
        fitView={fitOnOpen}
        fitViewOptions={FIT_VIEW_OPTIONS}
        minZoom={0.2}
        maxZoom={2.5}
        snapToGrid
        snapGrid={[8, 8]}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={16} size={1} color="#d4d8e0" />
        <Controls showInteractive={false} />
        <MiniMap
          pannable
          zoomable
          nodeStrokeWidth={3}
          nodeColor={(n) => `var(--kind-${(n.data as { node: { kind: string } }).node.kind})`}
        />
      </ReactFlow>
      {state.doc.nodes.length === 0 ? (
        <div className="canvas-hint">
          Drag sources, functions and sinks from the palette, then connect an output port (right) to an input
          (left).
        </div>
      ) : null}
      {refused?.kind === "refused" ? (
        <div className="canvas-refused" role="alert" data-testid="connection-refused">
          Connection refused: {refused.reason}
        </div>
      ) : refused?.kind === "types" ? (
        <div className="canvas-refused" role="alert" data-testid="connection-type-mismatch">
          Connected, but the types do not fit: {refused.reason}
        </div>
      ) : null}
    </div>
  );
}
