import { afterEach, describe, expect, it, vi } from "vitest";
import { TICK_MS, tickOf, waitForTick } from "./ticks";

describe("waitForTick", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("puts a due time on the next multiple of the grid, and a time on the grid on itself", () => {
    expect(tickOf(1001, 10)).toBe(1010);
    expect(tickOf(1010, 10)).toBe(1010);
    expect(tickOf(1003, 5)).toBe(1005);
  });

  it("ends waits due within one tick together, on that tick, with one timer", async () => {
    // A clock of the test's own, so a busy machine cannot make the tick pass while the waits are set up.
    vi.useFakeTimers({ now: 1000 });
    try {
      const timers = vi.spyOn(globalThis, "setTimeout");
      const signal = new AbortController().signal;
      const tick = tickOf(1000 + 5 * TICK_MS, TICK_MS);
      const ended: number[] = [];
      const waits = [tick - TICK_MS + 1, tick - 3, tick].map((due) =>
        waitForTick(due, 100, signal).then(() => ended.push(Date.now())),
      );
      await vi.advanceTimersByTimeAsync(tick - 1000);
      await Promise.all(waits);
      expect(timers).toHaveBeenCalledTimes(1);
      expect(ended).toEqual([tick, tick, tick]);
    } finally {
      // The spy wraps the fake setTimeout: undone first, or afterEach would put the fake one back.
      vi.restoreAllMocks();
      vi.useRealTimers();
    }
  });

  it("ends a wait whose tick has passed at once", async () => {
    const timers = vi.spyOn(globalThis, "setTimeout");
    await waitForTick(Date.now() - 50, 100, new AbortController().signal);
    expect(timers).not.toHaveBeenCalled();
  });

  it("uses the interval as the grid when it is shorter than a tick", async () => {
    // A clock of the test's own: on the tick grid the wait would end at 1,030, on its 3 ms grid at 1,023.
    vi.useFakeTimers({ now: 1000 });
    try {
      let ended = false;
      const wait = waitForTick(1021, 3, new AbortController().signal).then(() => (ended = true));
      await vi.advanceTimersByTimeAsync(22);
      expect(ended).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await wait;
      expect(Date.now()).toBe(1023);
    } finally {
      vi.useRealTimers();
    }
  });

  it("ends early when the signal aborts, ends no one else's wait, and leaves no timer once none waits", async () => {
    const cleared = vi.spyOn(globalThis, "clearTimeout");
    const controller = new AbortController();
    const other = new AbortController();
    const tick = tickOf(Date.now() + 60_000, TICK_MS);
    let otherEnded = false;
    const kept = waitForTick(tick, 100, other.signal).then(() => (otherEnded = true));
    const aborted = waitForTick(tick, 100, controller.signal);
    controller.abort();
    await aborted;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(otherEnded).toBe(false);
    expect(cleared).not.toHaveBeenCalled();
    other.abort();
    await kept;
    expect(otherEnded).toBe(true);
    expect(cleared).toHaveBeenCalledTimes(1);
  });
});
