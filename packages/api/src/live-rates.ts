// Per-second rates for stats.live, computed from the running totals engines flush to node_stats
// about once a second. A rate is the change of a total between two flushes divided by the time
// between those flushes (the rows' updatedAt), not between two reads: reads and flushes are not
// in step, and dividing by the read interval would make a steady flow look bursty.

/** One engine's totals for one node, as of `at` (ms since the epoch, when the engine wrote them). */
export interface CounterSample {
  recordsIn: number;
  recordsOut: number;
  errors: number;
  at: number;
}

export interface Rates {
  inPerSec: number;
  outPerSec: number;
  errorsPerSec: number;
}

/** What is kept between ticks for one (node, engine) row. `rates` is null until a second flush is seen. */
export interface RateState {
  sample: CounterSample;
  rates: Rates | null;
}

/** A row not rewritten for this long belongs to an engine that stopped running the node. */
export const STALE_AFTER_MS = 5_000;

export const ZERO_RATES: Readonly<Rates> = Object.freeze({ inPerSec: 0, outPerSec: 0, errorsPerSec: 0 });

/**
 * The next state of one row given its latest sample. A total lower than before means the engine
 * started over (a restart), so everything it counted since is new.
 */
export function advanceRates(previous: RateState | undefined, sample: CounterSample, now: number): RateState {
  const stale = now - sample.at > STALE_AFTER_MS;
  if (!previous) return { sample, rates: stale ? { ...ZERO_RATES } : null };
  if (sample.at <= previous.sample.at) {
    // The same flush as last time: nothing new to learn, the last rate still holds until stale.
    return { sample: previous.sample, rates: stale ? { ...ZERO_RATES } : previous.rates };
  }
  if (stale) return { sample, rates: { ...ZERO_RATES } };
  const seconds = (sample.at - previous.sample.at) / 1000;
  const perSec = (current: number, before: number): number =>
    (current >= before ? current - before : current) / seconds;
  return {
    sample,
    rates: {
      inPerSec: perSec(sample.recordsIn, previous.sample.recordsIn),
      outPerSec: perSec(sample.recordsOut, previous.sample.recordsOut),
      errorsPerSec: perSec(sample.errors, previous.sample.errors),
    },
  };
}

/** A node's rates summed over the engines that report it; null while none has a rate yet. */
export function sumRates(rows: readonly (Rates | null)[]): Rates | null {
  const known = rows.filter((r): r is Rates => r !== null);
  if (known.length === 0) return null;
  return known.reduce(
    (sum, r) => ({
      inPerSec: sum.inPerSec + r.inPerSec,
      outPerSec: sum.outPerSec + r.outPerSec,
      errorsPerSec: sum.errorsPerSec + r.errorsPerSec,
    }),
    { ...ZERO_RATES },
  );
}

/** Rounds for display and the wire: a hundredth of a record per second is plenty. */
export function roundRate(value: number): number {
  return Math.round(value * 100) / 100;
}
