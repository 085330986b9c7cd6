"use client";
// One node on the canvas: its type and name, an input handle (not on sources), one handle per
// output port (none on sinks), problems from the last save, and live counters while it runs.
import type { FlowNode } from "@weir/domain";
import type { Node, NodeProps } from "@xyflow/react";
import { Handle, Position, useUpdateNodeInternals } from "@xyflow/react";
import { memo, useEffect } from "react";
import type { NodeTypeInfo } from "../graph";
import type { LiveNode } from "../live";
import { formatCount, formatRate } from "../live";
import type { PlacedProblem } from "../problems";
import type { TracedTone } from "../trace";
import { NodeIcon } from "./node-icon";

export interface WeirNodeData extends Record<string, unknown> {
  node: FlowNode;
  info: NodeTypeInfo | undefined;
  ports: string[];
  problems: PlacedProblem[];
  live: LiveNode | undefined;
  /** Set while an open trace passed through this node: how the node handled the record. */
  traced?: TracedTone | undefined;
}

export type WeirFlowNode = Node<WeirNodeData, "weir">;

function LiveCounters({ nodeId, live, sink }: { nodeId: string; live: LiveNode; sink: boolean }) {
  return (
    <div className="node-stats" data-testid={`node-${nodeId}-stats`}>
      <span title="records in (total)" data-testid={`node-${nodeId}-stat-in`} data-rate={live.inPerSec ?? ""}>
        in {formatCount(live.recordsIn)} · {formatRate(live.inPerSec)}
      </span>
      {sink ? null : (
        <span
          title="records out (total)"
          data-testid={`node-${nodeId}-stat-out`}
          data-rate={live.outPerSec ?? ""}
        >
          out {formatCount(live.recordsOut)} · {formatRate(live.outPerSec)}
        </span>
      )}
      <span
        className={live.errors > 0 ? "stat-bad" : undefined}
        title={live.lastError ?? "errors (total)"}
        data-testid={`node-${nodeId}-stat-errors`}
      >
        err {formatCount(live.errors)}
      </span>
      <span title="records waiting at the input" data-testid={`node-${nodeId}-stat-backlog`}>
        backlog {formatCount(live.backlog)}
      </span>
      <span hidden data-testid={`node-${nodeId}-stat-rate`}>
        {formatRate(live.outPerSec ?? live.inPerSec)}
      </span>
    </div>
  );
}

function WeirNodeView({ id, data, selected }: NodeProps<WeirFlowNode>) {
  const { node, info, ports, problems, live, traced } = data;
  // React Flow measures a node's handles once; ports typed in Settings add handles it would not
  // know to connect from until a reload, so it is told to measure again when they change.
  const updateNodeInternals = useUpdateNodeInternals();
  const portKey = ports.join("\n");
  useEffect(() => {
    updateNodeInternals(id);
  }, [id, portKey, updateNodeInternals]);
  const title = node.name !== undefined && node.name !== "" ? node.name : node.id;
  return (
    <div
      className={`wnode wnode-${node.kind}${selected ? " wnode-selected" : ""}${problems.length > 0 ? " wnode-invalid" : ""}${traced ? ` wnode-traced wnode-traced-${traced}` : ""}`}
      data-testid={`node-${node.id}`}
      data-traced={traced}
      data-selected={selected ? "true" : "false"}
      data-problems={problems.length}
    >
      {node.kind !== "source" ? (
        <Handle
          type="target"
          position={Position.Left}
          id="in"
          className="whandle whandle-in"
          data-testid={`node-${node.id}-input`}
        />
      ) : null}
      <div className="wnode-head">
        <span className="wnode-icon">
          <NodeIcon name={info?.icon ?? "unknown"} />
        </span>
        <div className="wnode-titles">
          <div className="wnode-title">{title}</div>
          <div className="wnode-type">{info?.name ?? `${node.type} (unknown type)`}</div>
        </div>
        {problems.length > 0 ? (
          <span
            className="wnode-problems"
            data-testid={`node-${node.id}-problems`}
            title={problems.map((p) => p.message).join("\n")}
          >
            {problems.length}
          </span>
        ) : null}
      </div>
      {ports.length > 0 ? (
        <div className="wnode-ports">
          {ports.map((port) => (
            <div key={port} className="wnode-port">
              <span>{port}</span>
              <Handle
                type="source"
                position={Position.Right}
                id={port}
                className="whandle whandle-out"
                data-testid={`node-${node.id}-port-${port}`}
              />
            </div>
          ))}
        </div>
      ) : null}
      {live ? <LiveCounters nodeId={node.id} live={live} sink={node.kind === "sink"} /> : null}
    </div>
  );
}

export const WeirNode = memo(WeirNodeView);
