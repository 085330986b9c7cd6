"use client";
// The canvas while a comparison is open: the newer flow drawn read-only, its added nodes and edges
// green, changed ones amber, and the older flow's removed ones faded, dashed red, where they were;
// a legend with the counts, "Roll back to vN" and the way out (the button, or Escape). It has its
// own React Flow store, so the editing canvas comes back exactly as it was.
import {
  Background,
  Controls,
  MarkerType,
  ReactFlow,
  ReactFlowProvider,
  useNodesInitialized,
  useReactFlow,
} from "@xyflow/react";
import type { NodeChange } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Mark } from "../compare-graph";
import { compareGraph, countsText, portsFor } from "../compare-graph";
import type { FlowDoc, NodeTypeIndex } from "../graph";
import { outputPorts } from "../graph";
import { edgeText } from "../version-diff";
import type { CompareFlowEdge } from "./compare-edge";
import { CompareEdge, MARK_COLOR } from "./compare-edge";
import type { CompareFlowNode } from "./compare-node";
import { CompareNode } from "./compare-node";
import { CompareRollbackButton } from "./compare-rollback-button";
import type { CompareSides } from "./use-comparison";
import { sideLabel, useComparison } from "./use-comparison";

const nodeTypes = { weir: CompareNode };
/** Room at the top for the legend; no minimap here to keep clear of. */
const FIT_VIEW_OPTIONS = {
  padding: { top: "170px", left: "48px", right: "48px", bottom: "48px" },
  maxZoom: 1.2,
} as const;
const edgeTypes = { compare: CompareEdge };

interface Props {
  flowId: string | null;
  sides: CompareSides;
  /** What the editor holds now, when a side is the canvas. */
  canvas: FlowDoc;
  types: NodeTypeIndex;
  latestVersion: number;
  busy: boolean;
  onRollback: (version: number) => void;
  onLeave: () => void;
}

const LEGEND: { mark: Exclude<Mark, "same">; sign: string }[] = [
  { mark: "added", sign: "+" },
  { mark: "removed", sign: "−" },
  { mark: "changed", sign: "~" },
];

function useEscapeToLeave(onLeave: () => void): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== "Escape" || document.querySelector("[role=dialog]")) return;
      const target = event.target;
      if (target instanceof HTMLElement && target.closest("input, textarea, select, .monaco-editor")) return;
      onLeave();
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
    };
  }, [onLeave]);
}

/**
 * Fits the view once every node has been measured. React Flow's own `fitView` fits at the first
 * measurement it gets, and each node here reports on its own (weir-node's useUpdateNodeInternals),
 * so it fitted the first node or two and left the rest off screen.
 */
function FitWhenMeasured() {
  const measured = useNodesInitialized();
  const { fitView } = useReactFlow();
  const fitted = useRef(false);
  useEffect(() => {
    if (!measured || fitted.current) return;
    fitted.current = true;
    void fitView(FIT_VIEW_OPTIONS);
  }, [measured, fitView]);
  return null;
}

export function ComparisonCanvas(props: Props) {
  const { types, sides } = props;
  const compared = useComparison(props.flowId, sides, props.canvas);
  // One object per loaded pair: new node objects on every render would make React Flow forget
  // their measured sizes (and hide them until measured again).
  const { before, after, diff } = compared;
  const docs = useMemo(
    () => (before && after && diff ? { before, after, diff } : null),
    [before, after, diff],
  );
  useEscapeToLeave(props.onLeave);
  // Sizes React Flow measured, handed back with the nodes (as canvas.tsx does): controlled nodes
  // without them count as unmeasured, and the view would never be fitted.
  const [sizes, setSizes] = useState<ReadonlyMap<string, { width: number; height: number }>>(new Map());
  const onNodesChange = useCallback((changes: NodeChange<CompareFlowNode>[]) => {
    const measured = changes.flatMap((c) =>
      c.type === "dimensions" && c.dimensions ? [[c.id, c.dimensions] as const] : [],
    );
    if (measured.length > 0) setSizes((previous) => new Map([...previous, ...measured]));
  }, []);
  const comparison = useMemo(() => (docs ? compareGraph(docs.before, docs.after, docs.diff) : null), [docs]);
  const nodes = useMemo<CompareFlowNode[]>(
    () =>
      comparison?.nodes.map(({ node, mark, changes }) => {
        const flowNode: CompareFlowNode = {
          id: node.id,
          type: "weir",
          position: node.position,
          data: {
            node,
            info: types.get(node.type),
            ports: portsFor(outputPorts(node, types), comparison.portsUsed.get(node.id)),
            problems: [],
            live: undefined,
            mark,
            changes,
          },
        };
        const measured = sizes.get(node.id);
        if (measured) flowNode.measured = measured;
        return flowNode;
      }) ?? [],
    [comparison, types, sizes],
  );
  const edges = useMemo<CompareFlowEdge[]>(
    () =>
      comparison && docs
        ? comparison.edges.map(({ edge, mark }) => ({
            id: edge.id,
            type: "compare",
            source: edge.from.node,
            sourceHandle: edge.from.port,
            target: edge.to.node,
            targetHandle: "in",
            markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: MARK_COLOR[mark] },
            data: { mark, text: edgeText(edge, mark === "removed" ? docs.before : docs.after) },
          }))
        : [],
    [comparison, docs],
  );
  const summary = comparison ? countsText(comparison.counts) : "loading…";
  return (
    <div className="canvas comparison-canvas" data-testid="comparison-canvas">
      <ReactFlowProvider key={`${String(sides.from)}:${String(sides.to)}`}>
        {comparison ? (
          <ReactFlow<CompareFlowNode, CompareFlowEdge>
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            onNodesChange={onNodesChange}
            nodesDraggable={false}
            nodesConnectable={false}
            elementsSelectable={false}
            deleteKeyCode={null}
            minZoom={0.2}
            maxZoom={2.5}
            proOptions={{ hideAttribution: true }}
          >
            <Background gap={16} size={1} color="#d4d8e0" />
            <Controls showInteractive={false} />
            <FitWhenMeasured />
          </ReactFlow>
        ) : null}
      </ReactFlowProvider>
      <section className="cmp-legend" data-testid="comparison-legend" aria-label="Comparison">
        <div className="cmp-legend-title">
          Comparing <strong>{sideLabel(sides.from)}</strong> → <strong>{sideLabel(sides.to)}</strong>
        </div>
        <ul className="cmp-legend-keys">
          {LEGEND.map(({ mark, sign }) => (
            <li key={mark} className={`cmp-key cmp-${mark}`} data-testid={`comparison-legend-${mark}`}>
              <span className="cmp-badge">
                {sign} {mark}
              </span>{" "}
              {comparison ? comparison.counts[mark].nodes + comparison.counts[mark].edges : "…"}
            </li>
          ))}
        </ul>
        <p className="cmp-legend-summary" role="status" data-testid="comparison-summary">
          {compared.error ? `Could not load the versions to compare: ${compared.error.message}` : summary}
        </p>
        <div className="cmp-legend-actions">
          <CompareRollbackButton
            sides={sides}
            latestVersion={props.latestVersion}
            busy={props.busy}
            testId="comparison-rollback"
            onRollback={props.onRollback}
          />
          <button
            type="button"
            className="btn btn-small"
            data-testid="comparison-leave"
            title="Back to editing (Escape)"
            onClick={props.onLeave}
          >
            Leave comparison
          </button>
        </div>
      </section>
    </div>
  );
}
