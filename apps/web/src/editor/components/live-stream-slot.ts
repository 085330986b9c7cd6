// How many editor tabs of one browser may hold a live stream (stats.live) at once. A browser opens
// at most 6 HTTP/1.1 connections to one host and a server-sent-events stream keeps one for as long
// as it is open; with a stream per editor tab, the sixth open editor had no connection left for
// its queries, and its Logs tab (and everything else it asked for) stayed on "Loading…" until
// another tab closed. The tabs of a browser share LIVE_STREAM_SLOTS named Web Locks: a tab streams
// while it holds one, and a tab that finds none waits for the first one released.

/** Streams one browser may hold at once; the other 3 of the browser's 6 connections stay for queries. */
export const LIVE_STREAM_SLOTS = 3;

const slotName = (i: number): string => `weir-live-stream-${String(i)}`;

export interface SlotCallbacks {
  /** This tab holds a slot: start streaming. */
  onSlot: () => void;
  /** Every slot is held by other tabs: this tab waits (called at most once, before onSlot). */
  onWait: () => void;
}

/**
 * Takes a free slot, or waits for one; returns the function that gives it back (or stops waiting).
 * Without the Web Locks API (a page served over plain http from a host other than localhost is
 * not a secure context) every tab streams at once, as before.
 */
export function acquireLiveSlot({ onSlot, onWait }: SlotCallbacks): () => void {
  const locks = typeof navigator === "undefined" ? undefined : navigator.locks;
  if (locks === undefined) {
    onSlot();
    return () => undefined;
  }
  // Changed from the lock callbacks, read in the loops below.
  const state = { released: false, holding: false };
  let letGo: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    letGo = resolve;
  });
  const waiting = new AbortController();
  // Granted a lock: the first grant is this tab's slot, held until release; any later grant
  // (another slot freed while this tab's requests were still queued) is given back at once.
  const take = (lock: Lock | null): Promise<void> | undefined => {
    if (lock === null || state.holding || state.released) return undefined;
    state.holding = true;
    waiting.abort();
    onSlot();
    return held;
  };
  const ignoreAbort = (): void => undefined;

  void (async () => {
    for (let i = 0; i < LIVE_STREAM_SLOTS && !state.holding && !state.released; i++) {
      const granted = await new Promise<boolean>((answer) => {
        locks
          .request(slotName(i), { ifAvailable: true }, (lock) => {
            answer(lock !== null);
            return take(lock);
          })
          .catch(ignoreAbort);
      });
      if (granted) return;
    }
    if (state.holding || state.released) return;
    onWait();
    for (let i = 0; i < LIVE_STREAM_SLOTS; i++) {
      locks.request(slotName(i), { signal: waiting.signal }, take).catch(ignoreAbort);
    }
  })();

  return () => {
    state.released = true;
    waiting.abort();
    letGo();
  };
}
