import { describe, expect, it } from "vitest";
import type { CounterSample } from "./live-rates";
import { STALE_AFTER_MS, advanceRates, roundRate, sumRates } from "./live-rates";

const sample = (at: number, recordsIn: number, recordsOut = recordsIn, errors = 0): CounterSample => ({
  recordsIn,
  recordsOut,
  errors,
  at,
});

describe("advanceRates", () => {
  it("has no rate until it has seen two flushes", () => {
    expect(advanceRates(undefined, sample(1000, 50), 1200).rates).toBeNull();
  });

  it("divides the change of each total by the time between the engine's flushes, not between reads", () => {
    const first = advanceRates(undefined, sample(1000, 10, 8, 1), 1900);
    // Read 2.5 s later, but the engine flushed 2 s after its previous flush.
    const second = advanceRates(first, sample(3000, 30, 20, 2), 4400);
    expect(second.rates).toEqual({ inPerSec: 10, outPerSec: 6, errorsPerSec: 0.5 });
  });

  it("keeps the last rate when a read sees the same flush again", () => {
    const a = advanceRates(undefined, sample(1000, 0), 1000);
    const b = advanceRates(a, sample(2000, 100), 2100);
    const c = advanceRates(b, sample(2000, 100), 2600);
    expect(c.rates).toEqual(b.rates);
    expect(c.sample.at).toBe(2000);
  });

  it("drops to zero once the engine stops rewriting the row", () => {
    const a = advanceRates(undefined, sample(1000, 0), 1000);
    const b = advanceRates(a, sample(2000, 100), 2100);
    const c = advanceRates(b, sample(2000, 100), 2000 + STALE_AFTER_MS + 1);
    expect(c.rates).toEqual({ inPerSec: 0, outPerSec: 0, errorsPerSec: 0 });
    expect(advanceRates(undefined, sample(0, 5), STALE_AFTER_MS + 1).rates).toEqual({
      inPerSec: 0,
      outPerSec: 0,
      errorsPerSec: 0,
    });
  });

  it("treats a lower total as an engine that started over", () => {
    const a = advanceRates(undefined, sample(1000, 500), 1000);
    const b = advanceRates(a, sample(2000, 40), 2000);
    expect(b.rates?.inPerSec).toBe(40);
  });
});

describe("sumRates", () => {
  it("adds the engines that have a rate and is null while none has", () => {
    expect(sumRates([])).toBeNull();
    expect(sumRates([null, null])).toBeNull();
    expect(
      sumRates([
        { inPerSec: 1, outPerSec: 2, errorsPerSec: 0 },
        null,
        { inPerSec: 3, outPerSec: 4, errorsPerSec: 1 },
      ]),
    ).toEqual({ inPerSec: 4, outPerSec: 6, errorsPerSec: 1 });
  });

  it("rounds to hundredths", () => {
    expect(roundRate(10 / 3)).toBe(3.33);
  });
});
