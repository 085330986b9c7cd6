import { describe, expect, it } from "vitest";
import type { EdgePeekSample } from "./edge-peek";
import { mergePeeks } from "./edge-peek";

const sample = (at: number): EdgePeekSample => ({
  at,
  key: `k${String(at)}`,
  timestamp: at,
  value: "{}",
  truncated: false,
});

describe("mergePeeks", () => {
  it("merges engines' samples newest first, keeps the limit and sums counts and rates", () => {
    const merged = mergePeeks(
      [
        { running: true, produced: true, samples: [sample(5), sample(1)], total: 10, perSec: 2.25, since: 0 },
        { running: false },
        { running: true, produced: false, samples: [sample(4), sample(3)], total: 7, perSec: 1, since: 0 },
      ],
      3,
    );
    expect(merged.samples.map((s) => s.at)).toEqual([5, 4, 3]);
    expect(merged).toMatchObject({ total: 17, perSec: 3.3, engines: 2, produced: true });
  });

  it("has no rate while no engine has one, and nothing from engines that do not run the deployment", () => {
    expect(
      mergePeeks(
        [
          { running: true, produced: true, samples: [], total: 0, perSec: null, since: 0 },
          { running: false },
        ],
        20,
      ),
    ).toEqual({ samples: [], perSec: null, total: 0, engines: 1, produced: true });
  });
});
