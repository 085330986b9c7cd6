"use client";
// A node on the comparison canvas: the editor's own node, framed in its mark's colour, with the
// mark written on it ("added", "removed", "changed") so colour is never the only sign, and a
// sentence for screen readers saying what changed.
import type { NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { Mark } from "../compare-graph";
import type { WeirFlowNode, WeirNodeData } from "./weir-node";
import { WeirNode } from "./weir-node";

export interface CompareNodeData extends WeirNodeData {
  mark: Mark;
  changes: string[];
}

export type CompareFlowNode = WeirFlowNode & { data: CompareNodeData };

const SIGN: Record<Exclude<Mark, "same">, string> = { added: "+", removed: "−", changed: "~" };

function CompareNodeView(props: NodeProps<CompareFlowNode>) {
  const { mark, changes, node } = props.data;
  const name = node.name !== undefined && node.name !== "" ? node.name : node.id;
  const said =
    mark === "same"
      ? `${name}: unchanged`
      : `${name}: ${mark}${changes.length > 0 ? ` (${changes.join(", ")})` : ""}`;
  return (
    <div
      className={`cmp-node cmp-${mark}`}
      data-testid={`compare-node-${node.id}`}
      data-mark={mark}
      title={said}
    >
      {mark !== "same" ? (
        <span className="cmp-badge" aria-hidden="true" data-testid={`compare-node-${node.id}-badge`}>
          {SIGN[mark]} {mark}
        </span>
      ) : null}
      <span className="visually-hidden">{said}</span>
      <WeirNode {...props} />
    </div>
  );
}

export const CompareNode = memo(CompareNodeView);
