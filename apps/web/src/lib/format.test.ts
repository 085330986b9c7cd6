import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, formatRate } from "./format";

describe("format", () => {
  it("reads durations in the largest two units that matter", () => {
    expect(formatDuration(4_400)).toBe("4 s");
    expect(formatDuration(4 * 60_000 + 10_000)).toBe("4 min");
    expect(formatDuration((2 * 60 + 5) * 60_000)).toBe("2 h 5 min");
    expect(formatDuration((3 * 24 + 4) * 3_600_000)).toBe("3 d 4 h");
    expect(formatDuration(-5)).toBe("0 s");
  });

  it("reads sizes and rates", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(2048)).toBe("2.0 KiB");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3.0 MiB");
    expect(formatRate(0)).toBe("0/s");
    expect(formatRate(2.345)).toBe("2.3/s");
    expect(formatRate(12_345.6)).toBe("12,346/s");
  });
});
