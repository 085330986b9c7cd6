// Dead letters across flows: which flows hold records that failed every attempt, how many, and
// a link to each flow, whose Dead letters panel lists and replays them.
import Link from "next/link";

interface Props {
  flows: readonly { id: string; name: string }[];
  activity: readonly { flowId: string; deadLetters: number; failedLastMinute: number }[];
}

export function DeadLetterOverview({ flows, activity }: Props) {
  const names = new Map(flows.map((f) => [f.id, f.name]));
  const holding = activity
    .filter((a) => a.deadLetters > 0 && names.has(a.flowId))
    .sort((a, b) => b.deadLetters - a.deadLetters);
  if (holding.length === 0) return null;
  const total = holding.reduce((sum, a) => sum + a.deadLetters, 0);
  return (
    <section className="dead-letter-overview" data-testid="dead-letter-overview" aria-labelledby="dlq-title">
      <h2 id="dlq-title">
        Dead letters: {total} in {holding.length} flow{holding.length === 1 ? "" : "s"}
      </h2>
      <ul className="plain-list">
        {holding.map((a) => (
          <li key={a.flowId} data-testid={`dead-letter-overview-${a.flowId}`}>
            <Link href={`/flows/${a.flowId}`} className="flow-link">
              {names.get(a.flowId)}
            </Link>{" "}
            <span className="muted small">
              {a.deadLetters} waiting
              {a.failedLastMinute > 0 ? `, ${String(a.failedLastMinute)} in the last minute` : ""} (open the
              flow’s Dead letters tab to read and replay them)
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
