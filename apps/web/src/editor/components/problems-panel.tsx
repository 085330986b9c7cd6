"use client";
// Every problem the last save or deploy reported, where it is; a click selects the node.
import type { PlacedProblems } from "../problems";

export function ProblemsPanel({
  problems,
  onSelectNode,
}: {
  problems: PlacedProblems | null;
  onSelectNode: (nodeId: string) => void;
}) {
  if (!problems || problems.all.length === 0)
    return (
      <div className="panel-state" data-testid="problems-panel">
        No problems. Saving checks the whole flow: configs, connections, cycles and every function's code.
      </div>
    );
  return (
    <ul className="problems-list" data-testid="problems-panel">
      {problems.all.map((p, i) => (
        <li key={i} data-testid={`problem-${i}`}>
          <button
            type="button"
            className="problem-item"
            disabled={p.nodeId === undefined}
            onClick={() => {
              if (p.nodeId !== undefined) onSelectNode(p.nodeId);
            }}
          >
            <span
              className="problem-where"
              data-testid={`problem-${i}-where`}
              title={p.pathString ?? p.path.join(".")}
            >
              {p.where}
            </span>
            <span>{p.message}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
