// The flows that use a secret, a connection profile or a component, each a link to its editor.
import Link from "next/link";

export interface FlowRef {
  id: string;
  name: string;
}

export function FlowLinks({ flows, testId }: { flows: readonly FlowRef[]; testId: string }) {
  if (flows.length === 0)
    return (
      <span className="muted small" data-testid={testId}>
        none
      </span>
    );
  return (
    <span data-testid={testId}>
      {flows.map((flow, i) => (
        <span key={flow.id}>
          {i > 0 ? ", " : null}
          <Link href={`/flows/${flow.id}`} className="flow-link">
            {flow.name}
          </Link>
        </span>
      ))}
    </span>
  );
}

/** "flows a and b" for a sentence. */
export function flowNames(flows: readonly FlowRef[]): string {
  const names = flows.map((f) => `“${f.name}”`);
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1) ?? ""}`;
}
