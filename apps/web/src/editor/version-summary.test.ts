import { describe, expect, it } from "vitest";
import { summaryText } from "./version-summary";

const none = { added: 0, removed: 0, changed: 0 };

describe("summaryText", () => {
  it("lists added, changed and removed nodes and edges, singular or plural", () => {
    expect(
      summaryText({
        nodes: { added: 2, changed: 1, removed: 0 },
        edges: { added: 0, changed: 0, removed: 1 },
        renamed: true,
      }),
    ).toBe("+2 nodes, ~1 node, −1 edge, renamed");
  });

  it("says when nothing changed, and that a first version was empty", () => {
    const empty = { nodes: none, edges: none, renamed: false };
    expect(summaryText(empty)).toBe("no change");
    expect(summaryText(empty, true)).toBe("empty flow");
  });
});
