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
