import { describe, expect, it } from "vitest";
import { formatCount, formatRate, indexSnapshot } from "./live";

describe("live view", () => {
  it("indexes a snapshot by node and edge id", () => {
    const view = indexSnapshot({
      at: "t",
      nodes: [
        {
          nodeId: "a",
          recordsIn: 1,
          recordsOut: 2,
          errors: 0,
          inPerSec: 1,
          outPerSec: 2,
          errorsPerSec: 0,
          backlog: null,
          lastError: null,
        },
      ],
      edges: [{ edgeId: "e", perSec: 2, total: 4 }],
    });
    expect(view.nodes.get("a")?.recordsOut).toBe(2);
    expect(view.edges.get("e")?.perSec).toBe(2);
  });

  it("formats counts and rates compactly", () => {
    expect(formatCount(999)).toBe("999");
    expect(formatCount(1234)).toBe("1,234");
    expect(formatCount(145_000)).toBe("145k");
    expect(formatCount(2_500_000)).toBe("2.5M");
    expect(formatCount(0.5)).toBe("0.5");
    expect(formatRate(null)).toBe("—");
    expect(formatRate(12)).toBe("12/s");
  });
});
