"use client";
// Every problem the last save or deploy reported, where it is; a click selects the node. Below
// them, the save's notes: what it could not check and why (never a reason it refused).
import type { PlacedProblem, PlacedProblems } from "../problems";

function Item({
  problem,
  testId,
  note,
  onSelectNode,
}: {
  problem: PlacedProblem;
  testId: string;
  note: boolean;
  onSelectNode: (nodeId: string) => void;
}) {
  return (
    <li data-testid={testId} className={note ? "problem-note" : undefined}>
      <button
        type="button"
        className="problem-item"
        disabled={problem.nodeId === undefined}
        onClick={() => {
          if (problem.nodeId !== undefined) onSelectNode(problem.nodeId);
        }}
      >
        {note ? (
          <span className="tag" data-testid={`${testId}-kind`}>
            note
          </span>
        ) : null}
        <span
          className="problem-where"
          data-testid={`${testId}-where`}
          title={problem.pathString ?? problem.path.join(".")}
        >
          {problem.where}
        </span>
        <span>{problem.message}</span>
      </button>
    </li>
  );
}

export function ProblemsPanel({
  problems,
  onSelectNode,
}: {
  problems: PlacedProblems | null;
  onSelectNode: (nodeId: string) => void;
}) {
  const notes = problems?.notes ?? [];
  if (!problems || (problems.all.length === 0 && notes.length === 0))
    return (
      <div className="panel-state" data-testid="problems-panel">
        No problems. Saving checks the whole flow: configs, connections, cycles and every function's code.
      </div>
    );
  return (
    <ul className="problems-list" data-testid="problems-panel">
      {problems.all.map((p, i) => (
        <Item
          key={`p${String(i)}`}
          problem={p}
          testId={`problem-${String(i)}`}
          note={false}
          onSelectNode={onSelectNode}
        />
      ))}
      {notes.map((p, i) => (
        <Item
          key={`n${String(i)}`}
          problem={p}
          testId={`note-${String(i)}`}
          note
          onSelectNode={onSelectNode}
        />
      ))}
    </ul>
  );
}
