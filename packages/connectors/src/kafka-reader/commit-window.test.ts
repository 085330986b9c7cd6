import { describe, expect, it } from "vitest";
import { CommitWindow } from "./commit-window";
import type { CommitUnit } from "./commit-window";

function unit(next: number, size: number, remaining: number, bytes = size): CommitUnit {
  return {
    partition: "t/0",
    topic: "t",
    partitionNumber: 0,
    next: String(next),
    size,
    bytes,
    highWatermark: 100,
    remaining,
    orphan: false,
  };
}

describe("CommitWindow", () => {
  it("settles leading units without holds only, in order", () => {
    const window = new CommitWindow({ messages: 100, bytes: 1000 });
    const first = unit(2, 2, 1);
    window.add(first);
    window.add(unit(4, 2, 0));
    expect(window.settle("t/0")).toBeUndefined();
    expect(window.pending).toBe(false);
    first.remaining = 0;
    expect(window.settle("t/0")?.next).toBe("4");
    expect(window.takeCommits()).toEqual([{ topic: "t", partition: 0, offset: "4" }]);
    expect(window.messages).toBe(4);
    window.committed([{ topic: "t", partition: 0, offset: "4" }]);
    expect(window.messages).toBe(0);
  });

  it("puts a failed commit back unless a newer offset came meanwhile", () => {
    const window = new CommitWindow({ messages: 100, bytes: 1000 });
    window.add(unit(2, 2, 0));
    window.settle("t/0");
    const failed = window.takeCommits();
    window.failed(failed);
    expect(window.takeCommits()).toEqual(failed);
    window.add(unit(4, 2, 0));
    window.settle("t/0");
    window.failed(failed);
    expect(window.takeCommits()).toEqual([{ topic: "t", partition: 0, offset: "4" }]);
  });

  it("is full past either bound, less what is exempt; empty it takes anything", () => {
    const window = new CommitWindow({ messages: 4, bytes: 100 });
    expect(window.full(50, 5000)).toBe(false);
    window.add(unit(3, 3, 1, 60));
    expect(window.full(1, 10)).toBe(false);
    expect(window.full(2, 10)).toBe(true);
    expect(window.full(1, 41)).toBe(true);
    expect(window.full(2, 41, { messages: 2, bytes: 50 })).toBe(false);
    expect(window.full(2, 41, { messages: 3, bytes: 60 })).toBe(false);
  });

  it("orphans everything on a rejoin: nothing of it is committed, the window counts what is still held", () => {
    const window = new CommitWindow({ messages: 100, bytes: 1000 });
    const old = unit(2, 2, 1);
    window.add(old);
    window.rejoined(1);
    expect(old.orphan).toBe(true);
    expect(window.messages).toBe(1);
    expect(window.bytes).toBe(0);
    old.remaining = 0;
    expect(window.settle("t/0")).toBeUndefined();
    window.orphanAcked();
    expect(window.messages).toBe(0);
  });
});
