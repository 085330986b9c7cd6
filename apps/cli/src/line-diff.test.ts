import { describe, expect, it } from "vitest";
import { unifiedDiff } from "./line-diff";

describe("unifiedDiff", () => {
  it("is empty for equal texts", () => {
    expect(unifiedDiff("a\nb", "a\nb")).toEqual([]);
  });

  it("shows a changed line with its context and positions", () => {
    const before = ["1", "2", "3", "4", "5", "6", "7", "8", "9"].join("\n");
    const after = ["1", "2", "3", "4", "five", "6", "7", "8", "9"].join("\n");
    expect(unifiedDiff(before, after)).toEqual([
      "@@ -2,7 +2,7 @@",
      " 2",
      " 3",
      " 4",
      "-5",
      "+five",
      " 6",
      " 7",
      " 8",
    ]);
  });

  it("keeps far-apart changes in separate hunks and counts added lines", () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i}`).join("\n");
    const lines = before.split("\n");
    lines.splice(1, 0, "new");
    lines[18] = "changed";
    const diff = unifiedDiff(before, lines.join("\n"), 1);
    expect(diff.filter((line) => line.startsWith("@@"))).toEqual(["@@ -1,2 +1,3 @@", "@@ -17,3 +18,3 @@"]);
    expect(diff).toContain("+new");
    expect(diff).toContain("-l17");
    expect(diff).toContain("+changed");
  });
});
