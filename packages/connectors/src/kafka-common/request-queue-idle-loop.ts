// kafkajs 2.2.4 (the last release; upstream issues #1704 and #1751, fixes never merged) keeps
// every broker connection polling its request queue once a millisecond for as long as it lives:
// after each response, RequestQueue.scheduleCheckPendingRequests() sets a timer for
// `throttledUntil - Date.now()`, which is about -Date.now() when nothing is throttled (throttledUntil
// starts at -1), so Node clamps it to 1 ms and prints a TimeoutNegativeWarning; the timer calls
// checkPendingRequests(), which schedules the next one. Each connection wakes its process ~700
// times a second doing nothing, which on a loaded machine slows everything that shares the CPU.
// kafkajs exports no RequestQueue: its own module, so that a bundle (the web app's) patches the
// copy its kafkajs uses. Typed in kafkajs-request-queue.d.ts.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an untyped CommonJS file has no types to import; every program that compiles this file (engine, API, web) needs its declaration
/// <reference path="./kafkajs-request-queue.d.ts" />
import RequestQueue from "kafkajs/src/network/requestQueue/index.js";

interface RequestQueuePrototype {
  pending: unknown[];
  scheduleCheckPendingRequests: (this: RequestQueuePrototype) => void;
  [PATCHED]?: true;
}

const PATCHED = Symbol.for("weir.kafkajs.requestQueueIdleLoop");

/**
 * Schedules a check of a connection's pending requests only when some are pending (a request
 * throttled or over the in-flight limit; push() schedules the check when it queues one): with none
 * pending there is nothing to send, and no timer. Idempotent; throws if kafkajs no longer has the
 * method, so an upgrade that changes it is noticed (request-queue-idle-loop.test.ts).
 */
export function stopRequestQueueIdleLoop(): void {
  const proto = RequestQueue.prototype as RequestQueuePrototype;
  if (proto[PATCHED]) return;
  const original = proto.scheduleCheckPendingRequests as unknown;
  if (typeof original !== "function") {
    throw new Error(
      "kafkajs' RequestQueue has no scheduleCheckPendingRequests: review request-queue-idle-loop.ts",
    );
  }
  const schedule = original as RequestQueuePrototype["scheduleCheckPendingRequests"];
  proto.scheduleCheckPendingRequests = function scheduleWhenPending(this: RequestQueuePrototype): void {
    if (this.pending.length === 0) return;
    schedule.call(this);
  };
  proto[PATCHED] = true;
}
