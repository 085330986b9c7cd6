import { describe, expect, it } from "vitest";
import { assertTransition, canTransition, needsReconcile } from "./deployment";

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
  });

  it("knows when an engine has work to do", () => {
    expect(needsReconcile("running", "pending")).toBe(true);
    expect(needsReconcile("running", "running")).toBe(false);
    expect(needsReconcile("stopped", "running")).toBe(true);
    expect(needsReconcile("stopped", "stopped")).toBe(false);
  });
});
