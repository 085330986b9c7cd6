"use client";
// For the selected edges: why their ports' types do not fit (typed ports), with both types, so
// the reason stays readable after the notice shown while drawing has gone.
import type { FlowDoc } from "../graph";
import { edgeTypeFlags } from "../port-types";

export function EdgeTypeMessages({ doc, edgeIds }: { doc: FlowDoc; edgeIds: ReadonlySet<string> }) {
  const flags = [...edgeTypeFlags(doc)].filter(([id]) => edgeIds.has(id));
  if (flags.length === 0) return null;
  return (
    <ul className="inspector-problems" data-testid="edge-type-messages">
      {flags.map(([id, flag]) => (
        <li key={id}>
          <strong>
            {flag.from} ≠ {flag.to}
          </strong>
          <div className="small">{flag.message}</div>
        </li>
      ))}
    </ul>
  );
}
