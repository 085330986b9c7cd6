// Search and status filter of the flows list, as pure functions.

export type StatusFilter = "all" | "running" | "failed" | "stopped" | "not-deployed";

export const STATUS_FILTERS: readonly { value: StatusFilter; label: string }[] = [
  { value: "all", label: "All statuses" },
  { value: "running", label: "Running or starting" },
  { value: "failed", label: "Failed" },
  { value: "stopped", label: "Stopped" },
  { value: "not-deployed", label: "Not deployed" },
];

interface FlowLike {
  name: string;
  description: string;
  deployment: { desiredState: string; actualState: string } | null;
}

/** Which status filter a flow falls under. */
export function statusOf(flow: FlowLike): Exclude<StatusFilter, "all"> {
  const d = flow.deployment;
  if (!d) return "not-deployed";
  if (d.actualState === "failed") return "failed";
  if (d.desiredState === "running" || d.actualState === "running") return "running";
  return "stopped";
}

/** Flows whose name or description holds every word of the query (any case), with the status. */
export function filterFlows<T extends FlowLike>(
  flows: readonly T[],
  query: string,
  status: StatusFilter,
): T[] {
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== "");
  return flows.filter((flow) => {
    if (status !== "all" && statusOf(flow) !== status) return false;
    const text = `${flow.name} ${flow.description}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}
