// A version's change summary (from flow.versions) as a person reads it in the Versions tab.
import type { VersionSummary } from "@weir/api";

/** `+2 nodes, ~1 node, −1 edge` (added, changed, removed); `no change`, or `empty flow` for a first version. */
export function summaryText(summary: VersionSummary, first = false): string {
  const parts: string[] = [];
  const part = (sign: string, n: number, what: string): void => {
    if (n > 0) parts.push(`${sign}${String(n)} ${what}${n === 1 ? "" : "s"}`);
  };
  for (const [what, c] of [
    ["node", summary.nodes],
    ["edge", summary.edges],
  ] as const) {
    part("+", c.added, what);
    part("~", c.changed, what);
    part("−", c.removed, what);
  }
  if (summary.renamed) parts.push("renamed");
  if (parts.length > 0) return parts.join(", ");
  return first ? "empty flow" : "no change";
}
