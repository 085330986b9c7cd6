import { describe, expect, it } from "vitest";
import { filterFlows, statusOf } from "./filter";

const flow = (
  name: string,
  deployment: { desiredState: string; actualState: string } | null,
  description = "",
) => ({
  name,
  description,
  deployment,
});

const orders = flow("Orders enrich", { desiredState: "running", actualState: "running" }, "kafka orders");
const billing = flow("Billing", { desiredState: "running", actualState: "failed" });
const old = flow("old orders", { desiredState: "stopped", actualState: "stopped" });
const draft = flow("Draft", null, "not yet");
const starting = flow("Starting", { desiredState: "running", actualState: "pending" });

describe("flows list filter", () => {
  it("names each flow's status", () => {
    expect([orders, billing, old, draft, starting].map(statusOf)).toEqual([
      "running",
      "failed",
      "stopped",
      "not-deployed",
      "running",
    ]);
  });

  it("matches every word of the query in the name or description, any case, with the status", () => {
    const all = [orders, billing, old, draft, starting];
    expect(filterFlows(all, "ORDERS", "all")).toEqual([orders, old]);
    expect(filterFlows(all, "orders kafka", "all")).toEqual([orders]);
    expect(filterFlows(all, "  ", "failed")).toEqual([billing]);
    expect(filterFlows(all, "orders", "stopped")).toEqual([old]);
    expect(filterFlows(all, "yet", "not-deployed")).toEqual([draft]);
    expect(filterFlows(all, "nothing like this", "all")).toEqual([]);
  });
});
