// The flow setting `delivery`: optional (at-least-once when left out), and only its two values.
import { describe, expect, it } from "vitest";
import { flowSpecSchema } from "./flow";

const flow = { name: "f", nodes: [], edges: [] };

describe("flow setting delivery", () => {
  it("is left out by default and keeps either value it is given", () => {
    expect(flowSpecSchema.parse(flow).delivery).toBeUndefined();
    expect(flowSpecSchema.parse({ ...flow, delivery: "exactly-once" }).delivery).toBe("exactly-once");
    expect(flowSpecSchema.parse({ ...flow, delivery: "at-least-once" }).delivery).toBe("at-least-once");
  });

  it("refuses any other value, at its path, naming the two it takes", () => {
    const parsed = flowSpecSchema.safeParse({ ...flow, delivery: "exactly-twice" });
    expect(parsed.success).toBe(false);
    const issue = parsed.error?.issues[0];
    expect(issue?.path).toEqual(["delivery"]);
    expect(issue?.message).toContain('"exactly-once"');
  });
});
