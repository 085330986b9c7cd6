import { describe, expect, it } from "vitest";
import { NodeCounters } from "./stats";

describe("NodeCounters backlog", () => {
  it("is null while the node reads no edge on this engine", () => {
    expect(new NodeCounters("d", "n", "in").lagJson()).toBeNull();
  });

  it("reads queue depths when flushed and adds Kafka lag", () => {
    const counters = new NodeCounters("d", "n", "in");
    let queued = 5;
    counters.watchQueue(0, () => queued);
    expect(counters.lagJson()).toEqual({ total: 5, partitions: { "in-memory#0": 5 } });
    queued = 2;
    counters.lagOf(1).set("weir.f.v1.e1/0", 7);
    expect(counters.lagJson()).toEqual({ total: 9, partitions: { "in-memory#0": 2, "weir.f.v1.e1/0": 7 } });
  });
});

describe("NodeCounters.unchangedSince", () => {
  /** One change of every kind the row shows, each applied to fresh counters written just before. */
  const changes: [string, (c: NodeCounters, queue: { depth: number }) => void][] = [
    ["a record in", (c) => c.recordsIn++],
    ["a record out", (c) => c.recordsOut++],
    ["an error", (c) => c.errors++],
    ["a record completed", (c) => c.completed++],
    ["a dead letter", (c) => c.deadLettered++],
    ["a record in flight", (c) => c.inFlight++],
    [
      "an error noted, not counted",
      (c) => {
        c.noteError("retrying");
      },
    ],
    [
      "a user counter",
      (c) => {
        c.counter("orders", 1);
      },
    ],
    [
      "a user histogram",
      (c) => {
        c.histogram("latency", 3);
      },
    ],
    ["a queue's depth", (_c, queue) => queue.depth++],
    [
      "another queue",
      (c) => {
        c.watchQueue(1, () => 0);
      },
    ],
    ["a partition's lag", (c) => c.lagOf(0).set("t/0", 8)],
    ["a new partition", (c) => c.lagOf(0).set("t/1", 0)],
    ["a partition gone", (c) => c.lagOf(0).delete("t/0")],
  ];

  const written = (): { counters: NodeCounters; queue: { depth: number } } => {
    const counters = new NodeCounters("d", "n", "in");
    const queue = { depth: 2 };
    counters.watchQueue(0, () => queue.depth);
    counters.lagOf(0).set("t/0", 7);
    return { counters, queue };
  };

  it("holds while nothing the row shows changed", () => {
    const { counters } = written();
    const last = counters.written(0);
    expect(counters.unchangedSince(last, 0)).toBe(true);
    expect(counters.unchangedSince(last, 0.5)).toBe(false);
  });

  it.each(changes)("fails after %s", (_name, change) => {
    const { counters, queue } = written();
    const last = counters.written(0);
    change(counters, queue);
    expect(counters.unchangedSince(last, 0)).toBe(false);
  });
});
