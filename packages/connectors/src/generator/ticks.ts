/**
 * Paced generators wait on a shared grid of ticks: a record due at `dueAt` leaves on the first
 * multiple of the grid at or after it, and every wait ending on the same tick shares one timer.
 * Each wake-up of an idle event loop costs the process far more than the record it carries (a
 * lone timer ~27 µs of CPU against ~5 µs each for ten firing together), and N generators started
 * at their own moments woke the engine N × their rate times a second. On the grid they wake it at
 * most once per tick, their rates unchanged (a record is at most one tick late, never dropped).
 */
export const TICK_MS = 10;

const waiting = new Map<number, (() => void)[]>();
let timer: ReturnType<typeof setTimeout> | undefined;
/** The tick the timer is set for; Infinity when none is. */
let armedFor = Number.POSITIVE_INFINITY;

/** The tick a record due at `dueAt` (Date.now() time) leaves on, on a grid of `grid` ms. */
export function tickOf(dueAt: number, grid: number): number {
  return Math.ceil(dueAt / grid) * grid;
}

/**
 * Resolves on the tick of `dueAt` (a grid of TICK_MS, or `intervalMs` when shorter), or at once
 * when that tick has passed, or early (without throwing) when the signal aborts.
 */
export function waitForTick(dueAt: number, intervalMs: number, signal: AbortSignal): Promise<void> {
  const tick = tickOf(dueAt, Math.max(1, Math.min(TICK_MS, intervalMs)));
  if (signal.aborted || tick <= Date.now()) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = (): void => {
      const list = waiting.get(tick);
      const index = list?.indexOf(done) ?? -1;
      if (list && index >= 0) list.splice(index, 1);
      if (list?.length === 0) waiting.delete(tick);
      // No timer outlives the last wait: a stopped 24-hour generator must not hold the process.
      if (waiting.size === 0) disarm();
      resolve();
    };
    const done = (): void => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const list = waiting.get(tick);
    if (list) list.push(done);
    else waiting.set(tick, [done]);
    arm(tick);
  });
}

function arm(tick: number): void {
  if (tick >= armedFor) return;
  disarm();
  armedFor = tick;
  timer = setTimeout(fire, Math.max(0, tick - Date.now()));
}

function disarm(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  armedFor = Number.POSITIVE_INFINITY;
}

function fire(): void {
  timer = undefined;
  armedFor = Number.POSITIVE_INFINITY;
  const now = Date.now();
  let next = Number.POSITIVE_INFINITY;
  for (const [tick, list] of waiting) {
    // A timer can fire a millisecond short of its tick by Date.now() (libuv rounds its own clock).
    if (tick <= now + 1) {
      waiting.delete(tick);
      for (const done of list) done();
    } else if (tick < next) {
      next = tick;
    }
  }
  if (next !== Number.POSITIVE_INFINITY) arm(next);
}
