import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * Lets timers and I/O run. Node loops that only await already-resolved promises would
 * otherwise chain microtasks forever and starve stats flushes, leases and HTTP.
 */
export function yieldToEventLoop(): Promise<void> {
  return nextTurn();
}
