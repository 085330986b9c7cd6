"use client";
// Draws an edge without a mouse: pick one of the selected node's output ports and the node to
// send it to, then Connect. The same rules as dragging apply (graph.ts canConnect: no cycles, no
// input into a source, no duplicate), and a refusal says why.
import type { FlowNode } from "@weir/domain";
import { useState } from "react";
import type { FlowDoc, NodeTypeIndex } from "../graph";
import { canConnect, outputPorts } from "../graph";

interface Props {
  doc: FlowDoc;
  types: NodeTypeIndex;
  node: FlowNode;
  onConnect: (port: string, target: string) => void;
}

const labelOf = (node: FlowNode): string =>
  node.name !== undefined && node.name !== "" ? node.name : node.id;

export function ConnectControl({ doc, types, node, onConnect }: Props) {
  const ports = outputPorts(node, types);
  const targets = doc.nodes.filter((n) => n.id !== node.id && n.kind !== "source");
  const [port, setPort] = useState("");
  const [target, setTarget] = useState("");
  const [refused, setRefused] = useState<string | null>(null);
  if (ports.length === 0) return null;
  const chosenPort = ports.includes(port) ? port : (ports[0] ?? "");
  const chosenTarget = targets.some((t) => t.id === target) ? target : (targets[0]?.id ?? "");
  return (
    <div className="field" data-testid="connect-control">
      <div className="field-label" id="connect-label">
        Connect an output
      </div>
      {targets.length === 0 ? (
        <p className="field-help">Add a function or a sink to send this node&apos;s records to.</p>
      ) : (
        <div className="connect-row" role="group" aria-labelledby="connect-label">
          <select
            className="input"
            data-testid="connect-port"
            aria-label="Output port"
            value={chosenPort}
            onChange={(e) => {
              setPort(e.target.value);
              setRefused(null);
            }}
          >
            {ports.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
          <span aria-hidden="true">→</span>
          <select
            className="input"
            data-testid="connect-target"
            aria-label="Send to node"
            value={chosenTarget}
            onChange={(e) => {
              setTarget(e.target.value);
              setRefused(null);
            }}
          >
            {targets.map((t) => (
              <option key={t.id} value={t.id}>
                {labelOf(t)}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="btn btn-small"
            data-testid="connect-button"
            onClick={() => {
              const check = canConnect(doc, types, { node: node.id, port: chosenPort }, chosenTarget);
              if (!check.ok) {
                setRefused(check.reason);
                return;
              }
              setRefused(null);
              onConnect(chosenPort, chosenTarget);
            }}
          >
            Connect
          </button>
        </div>
      )}
      {refused !== null ? (
        <div className="field-error" role="alert" data-testid="connect-refused">
          Connection refused: {refused}
        </div>
      ) : null}
    </div>
  );
}
