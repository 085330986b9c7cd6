"use client";
// An edge on the comparison canvas: green when added, dashed red when removed (drawn from the older
// version), amber when it moved to other ends, grey when unchanged; marked ones carry their mark
// as a word too.
import type { Edge, EdgeProps } from "@xyflow/react";
import { BaseEdge, EdgeLabelRenderer, getBezierPath } from "@xyflow/react";
import type { Mark } from "../compare-graph";

export interface CompareEdgeData extends Record<string, unknown> {
  mark: Mark;
  /** `gen.out → log`, for the mark's title and screen readers. */
  text: string;
}

export type CompareFlowEdge = Edge<CompareEdgeData, "compare">;

/** The arrowheads are SVG markers, which take a colour, not a CSS variable. */
export const MARK_COLOR: Record<Mark, string> = {
  added: "#166534",
  removed: "#c02626",
  changed: "#b45309",
  same: "#98a1b0",
};

export function CompareEdge({
  id,
  sourceX,
  sourceY,
  targetX,
  targetY,
  sourcePosition,
  targetPosition,
  data,
  markerEnd,
}: EdgeProps<CompareFlowEdge>) {
  const [path, labelX, labelY] = getBezierPath({
    sourceX,
    sourceY,
    targetX,
    targetY,
    sourcePosition,
    targetPosition,
  });
  const mark = data?.mark ?? "same";
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={`cmp-edge cmp-edge-${mark}`} />
      {mark !== "same" ? (
        <EdgeLabelRenderer>
          <div
            className={`cmp-edge-label cmp-${mark}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            data-testid={`compare-edge-${id}`}
            data-mark={mark}
            title={`${data?.text ?? id}: ${mark}`}
          >
            {mark}
            <span className="visually-hidden">: edge {data?.text ?? id}</span>
          </div>
        </EdgeLabelRenderer>
      ) : null}
    </>
  );
}
