"use client";
// Where sample records break the input type (typed ports), shown above Run. A warning, not a
// block: types are checked while a flow is designed, not enforced on each record at run time,
// so running a bad sample still shows how the code copes with it.
interface Props {
  testId: string;
  problems: readonly string[];
}

export function SampleTypeProblems({ testId, problems }: Props) {
  if (problems.length === 0) return null;
  return (
    <div className="field-error" data-testid={testId} role="alert">
      <div>These samples do not fit the input schema:</div>
      <ul className="sample-type-problems">
        {problems.map((problem) => (
          <li key={problem}>
            <code>{problem}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}
