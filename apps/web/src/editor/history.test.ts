import { describe, expect, it } from "vitest";
import { amend, canRedo, canUndo, HISTORY_LIMIT, record, redo, startHistory, undo } from "./history";

describe("history", () => {
  it("undoes and redoes edits in order", () => {
    let h = startHistory(1);
    h = record(h, 2);
    h = record(h, 3);
    h = undo(h);
    expect(h.present).toBe(2);
    h = undo(h);
    expect(h.present).toBe(1);
    expect(canUndo(h)).toBe(false);
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h.present).toBe(2);
    expect(canRedo(h)).toBe(true);
  });

  it("forgets the redo steps after a new edit", () => {
    let h = record(record(startHistory("a"), "b"), "c");
    h = record(undo(h), "d");
    expect(canRedo(h)).toBe(false);
    expect(undo(h).present).toBe("b");
  });

  it("amends the present without an undo step (one drag, one step)", () => {
    let h = record(startHistory({ x: 0 }), { x: 1 });
    h = amend(h, { x: 2 });
    h = amend(h, { x: 3 });
    expect(h.present).toEqual({ x: 3 });
    expect(undo(h).present).toEqual({ x: 0 });
  });

  it("keeps at most the limit of steps", () => {
    let h = startHistory(0);
    for (let i = 1; i <= HISTORY_LIMIT + 10; i++) h = record(h, i);
    expect(h.past).toHaveLength(HISTORY_LIMIT);
    expect(h.past[0]).toBe(10);
  });
});
