// kafkajs gives every broker connection its own timer that looks for timed-out requests ten times a
// second (RequestQueue.scheduleRequestTimeoutCheck: setInterval of min(requestTimeout, 100) ms),
// for as long as the connection lives. An engine on the Kafka transport holds a few connections per
// deployed node (each node is a consumer group member of its own), so 100 idle two-node flows wake
// the process thousands of times a second to find nothing: about half of its idle CPU (density
// bench, 100 idle flows: 6.99% of a core before this sweep, 3.78% after). One sweep per process
// does the same checks for every connection four times a second. Like request-queue-idle-loop.ts, this patches kafkajs' own RequestQueue module.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an untyped CommonJS file has no types to import; every program that compiles this file (engine, API, web) needs its declaration
/// <reference path="./kafkajs-request-queue.d.ts" />
import RequestQueue from "kafkajs/src/network/requestQueue/index.js";

interface InflightRequest {
  sentAt: number;
  requestTimeout: number;
  timeoutRequest(): void;
}

interface SweptQueue {
  enforceRequestTimeout: boolean;
  inflight: Map<number, InflightRequest>;
  isConnected: () => boolean;
  destroy: (this: SweptQueue) => void;
  scheduleRequestTimeoutCheck: (this: SweptQueue) => void;
  [PATCHED]?: true;
}

const PATCHED = Symbol.for("weir.kafkajs.requestTimeoutSweep");

/**
 * How often the sweep runs. A request times out at most this much later than its timeout (kafkajs:
 * 100 ms); Weir's shortest request timeout is the connection test's (seconds), and the default 30 s.
 */
export const REQUEST_TIMEOUT_SWEEP_MS = 250;

const queues = new Set<SweptQueue>();
let sweepTimer: NodeJS.Timeout | undefined;

function sweep(): void {
  const now = Date.now();
  for (const queue of queues) {
    queue.inflight.forEach((request) => {
      if (now - request.sentAt > request.requestTimeout) request.timeoutRequest();
    });
    // kafkajs' own check stops its timer once the socket is gone; a reconnect schedules it again.
    if (!queue.isConnected()) queue.destroy();
  }
}

function watch(queue: SweptQueue): void {
  queues.add(queue);
  // unref: the sockets keep a process alive while requests are in flight, not this timer.
  sweepTimer ??= setInterval(sweep, REQUEST_TIMEOUT_SWEEP_MS).unref();
}

function unwatch(queue: SweptQueue): void {
  queues.delete(queue);
  if (queues.size === 0 && sweepTimer) {
    clearInterval(sweepTimer);
    sweepTimer = undefined;
  }
}

/** How many connections the sweep watches (for its test). */
export function sweptConnections(): number {
  return queues.size;
}

/**
 * Replaces each kafkajs connection's request-timeout timer with one shared sweep. Idempotent;
 * throws if kafkajs no longer has the methods it replaces, so an upgrade that changes them is
 * noticed (request-timeout-sweep.test.ts).
 */
export function shareRequestTimeoutChecks(): void {
  const proto = RequestQueue.prototype as SweptQueue;
  if (proto[PATCHED]) return;
  const destroy = proto.destroy as unknown;
  if (typeof destroy !== "function" || typeof (proto.scheduleRequestTimeoutCheck as unknown) !== "function") {
    throw new Error(
      "kafkajs' RequestQueue has no scheduleRequestTimeoutCheck or destroy: review request-timeout-sweep.ts",
    );
  }
  const destroyQueue = destroy as SweptQueue["destroy"];
  proto.destroy = function destroyAndUnwatch(this: SweptQueue): void {
    unwatch(this);
    destroyQueue.call(this);
  };
  proto.scheduleRequestTimeoutCheck = function watchRequestTimeouts(this: SweptQueue): void {
    if (!this.enforceRequestTimeout) return;
    // As kafkajs does: a reconnect first drops what the last connection scheduled.
    this.destroy();
    watch(this);
  };
  proto[PATCHED] = true;
}
