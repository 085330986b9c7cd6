import { describe, expect, it } from "vitest";
import { RejoinPositions } from "./rejoin-positions";

const owned = new Set(["t/0"]);

/** Offsets `from`..`to` checked in order; the verdicts. */
function read(positions: RejoinPositions, from: number, to: number, current = true): string[] {
  const verdicts: string[] = [];
  for (let offset = from; offset <= to; offset++) verdicts.push(positions.check("t/0", offset, current));
  return verdicts;
}

describe("RejoinPositions", () => {
  it("hands everything on while the member never rejoins", () => {
    const positions = new RejoinPositions();
    expect(read(positions, 0, 2)).toEqual(["hand", "hand", "hand"]);
  });

  it("flags a fetch from before the join that lands after the rewind, skipping records read before", () => {
    const positions = new RejoinPositions();
    read(positions, 0, 9); // old generation: handed on, 0..9 not yet committed
    positions.committed("t/0", 5);
    positions.joined();
    positions.rewound(new Map([["t/0", 5]]), owned);
    // The stale fetch asked for 10: 5..9 would never come again.
    expect(positions.check("t/0", 10, true)).toBe("stale");
  });

  it("drops what a stale fetch brings before the rewind, then reads from the committed offset", () => {
    const positions = new RejoinPositions();
    read(positions, 0, 9, false);
    positions.committed("t/0", 5);
    positions.joined();
    expect(read(positions, 10, 11)).toEqual(["drop", "drop"]);
    positions.rewound(new Map([["t/0", 5]]), owned);
    expect(read(positions, 5, 12)).toEqual(Array(8).fill("hand"));
  });

  it("accepts a gap at the rewind point that no record was seen in (compaction, a transaction marker)", () => {
    const positions = new RejoinPositions();
    read(positions, 6, 9);
    positions.joined();
    positions.rewound(new Map([["t/0", 5]]), owned);
    expect(positions.check("t/0", 6, true)).toBe("hand");
  });

  it("checks only the first message of a partition after each rewind", () => {
    const positions = new RejoinPositions();
    read(positions, 0, 3);
    positions.joined();
    positions.rewound(new Map([["t/0", 0]]), owned);
    expect(read(positions, 0, 5)).toEqual(Array(6).fill("hand"));
  });

  it("answers a partition the stream did not rewind to records read and never committed", () => {
    const positions = new RejoinPositions();
    read(positions, 0, 9);
    positions.committed("t/0", 3);
    positions.joined();
    // No committed offset moved the stream back: it resumes where it was.
    expect(positions.rewound(new Map([["t/0", 10]]), owned)).toEqual([{ where: "t/0", read: 3, start: 10 }]);
  });

  it("forgets partitions the member no longer owns", () => {
    const positions = new RejoinPositions();
    read(positions, 0, 9);
    positions.joined();
    expect(positions.rewound(new Map([["t/0", 10]]), new Set())).toEqual([]);
  });
});
