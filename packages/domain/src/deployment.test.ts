import { describe, expect, it } from "vitest";
import type { ActualState, DeploymentTransition } from "./deployment";
import {
  actualStateSchema,
  assertTransition,
  canTransition,
  deploymentEvents,
  deploymentTransitions,
  heldStates,
  initialActualState,
} from "./deployment";

const rules: [string, DeploymentTransition][] = deploymentEvents.map((event) => [
  event,
  deploymentTransitions[event],
]);

describe("deployment state machine", () => {
  it("allows the normal life cycle", () => {
    expect(canTransition("pending", "starting")).toBe(true);
    expect(canTransition("starting", "running")).toBe(true);
    expect(canTransition("running", "stopping")).toBe(true);
    expect(canTransition("stopping", "stopped")).toBe(true);
  });

  it("refuses to leave stopped", () => {
    expect(() => {
      assertTransition("stopped", "running");
    }).toThrow("deployment cannot go from 'stopped' to 'running'");
    expect(actualStateSchema.options.filter((to) => canTransition("stopped", to))).toEqual([]);
  });

  it("reaches every state from the initial one", () => {
    const seen = new Set<ActualState>([initialActualState]);
    for (let grew = true; grew;) {
      grew = false;
      for (const [, rule] of rules)
        if (rule.from.some((from) => seen.has(from)) && !seen.has(rule.to)) {
          seen.add(rule.to);
          grew = true;
        }
    }
    expect([...seen].sort()).toEqual([...actualStateSchema.options].sort());
  });

  it("gives a deployment a holder exactly in the held states", () => {
    for (const [event, rule] of rules) {
      const held = heldStates.includes(rule.to);
      // Entering a held state takes the lease or keeps it (only from a held state); leaving one drops it.
      if (!held) expect(rule.lease, event).toBe("drop");
      else if (rule.lease === "keep")
        expect(
          rule.from.every((from) => heldStates.includes(from)),
          event,
        ).toBe(true);
      else expect(rule.lease, event).toBe("take");
    }
  });

  it("lets only the holder change a held deployment, except to recover it", () => {
    for (const [event, rule] of rules) {
      if (rule.holder === "self")
        expect(
          rule.from.every((from) => heldStates.includes(from)),
          event,
        ).toBe(true);
      else expect(rule.desired, event).toBeDefined();
    }
  });
});
