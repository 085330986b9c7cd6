"use client";
// An edge with its live rate (while the flow runs), the records it carried in the last dry run,
// and a mark when the last save found a problem with it.
import type { Edge, EdgeProps } from "@xyflow/react";
import { BaseEdge, EdgeLabelRenderer, getBezierPath } from "@xyflow/react";
import type { LiveEdge } from "../live";
import { formatRate } from "../live";
import type { EdgeTypeFlag } from "../port-types";
import type { PlacedProblem } from "../problems";

export interface WeirEdgeData extends Record<string, unknown> {
  live: LiveEdge | undefined;
  /** Records that crossed the edge in the last dry run. */
  dryRun?: number | undefined;
  problems: PlacedProblem[];
  /** Its ports' types do not fit (typed ports), seen as it is drawn. */
  typeFlag?: EdgeTypeFlag | undefined;
}

export type WeirFlowEdge = Edge<WeirEdgeData, "weir">;

export function WeirEdge({
  id,
  sourceX,
  sourceY,
  targetX,
  targetY,
  sourcePosition,
  targetPosition,
  data,
  selected,
  markerEnd,
}: EdgeProps<WeirFlowEdge>) {
  const [path, labelX, labelY] = getBezierPath({
    sourceX,
    sourceY,
    targetX,
    targetY,
    sourcePosition,
    targetPosition,
  });
  const problems = data?.problems ?? [];
  const typeFlag = data?.typeFlag;
  const live = data?.live;
  const dryRun = data?.dryRun;
  const moving = live?.perSec !== undefined && live.perSec !== null && live.perSec > 0;
  const className = `wedge${selected ? " wedge-selected" : ""}${problems.length > 0 || typeFlag ? " wedge-invalid" : ""}${moving ? " wedge-moving" : ""}`;
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={className} />
      {live || dryRun !== undefined || problems.length > 0 || typeFlag ? (
        <EdgeLabelRenderer>
          <div
            className={`wedge-label${problems.length > 0 || typeFlag ? " wedge-label-invalid" : ""}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            data-testid={`edge-${id}`}
            data-problems={problems.length}
            title={
              [typeFlag?.message, ...problems.map((p) => p.message)].filter(Boolean).join("\n") || undefined
            }
          >
            {live ? <span data-testid={`edge-${id}-rate`}>{formatRate(live.perSec)}</span> : null}
            {dryRun !== undefined ? (
              <span data-testid={`edge-${id}-dry-run`} title="records in the last dry run">
                {dryRun} rec
              </span>
            ) : null}
            {typeFlag ? <span data-testid={`edge-${id}-type-mismatch`}>⚠ types</span> : null}
            {problems.length > 0 ? <span>⚠ {problems.length}</span> : null}
          </div>
        </EdgeLabelRenderer>
      ) : null}
    </>
  );
}
