import { describe, expect, it } from "vitest";
import { DEFAULT_TRACES_PER_SECOND, rateLimited, samplerOf } from "./sampler";

describe("sampler", () => {
  it("defaults to parent-based, at most 10 new traces a second", () => {
    const sampler = samplerOf(undefined, undefined);
    expect(sampler.parentBased).toBe(true);
    expect(sampler.describe).toBe(`parent-based, at most ${DEFAULT_TRACES_PER_SECOND} new traces a second`);
    expect(samplerOf("", undefined, "3").describe).toContain("at most 3 ");
    expect(samplerOf(undefined, undefined, "0").roots(5)).toBe(0);
  });

  it("makes the samplers the standard variables name and refuses others, saying what there is", () => {
    expect(samplerOf("always_on", undefined).roots(7)).toBe(7);
    expect(samplerOf("always_on", undefined).parentBased).toBe(false);
    expect(samplerOf("parentbased_always_off", undefined).roots(7)).toBe(0);
    expect(samplerOf("parentbased_always_off", undefined).parentBased).toBe(true);
    expect(samplerOf("traceidratio", "0.25").describe).toBe("traceidratio 0.25");
    expect(samplerOf("traceidratio", "0").roots(100)).toBe(0);
    expect(samplerOf("traceidratio", "1").roots(100)).toBe(100);
    expect(() => samplerOf("sometimes", undefined)).toThrow(/'sometimes' is not one of always_on/);
    expect(() => samplerOf("traceidratio", "2")).toThrow(/ratio from 0 to 1 \(got '2'\)/);
    expect(() => samplerOf(undefined, undefined, "lots")).toThrow(/WEIR_TRACES_PER_SECOND .*got 'lots'/);
  });

  it("lets a burst of one second's worth through, then as many a second as it allows", () => {
    let now = 0;
    const take = rateLimited(10, () => now);
    expect(take(15)).toBe(10);
    expect(take(1)).toBe(0);
    now += 500;
    expect(take(3)).toBe(3);
    expect(take(15)).toBe(2);
    now += 10_000;
    expect(take(15)).toBe(10);
  });
});
