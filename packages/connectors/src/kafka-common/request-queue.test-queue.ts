// A bare kafkajs RequestQueue for the tests of the patches to it (request-queue-idle-loop.ts,
// request-timeout-sweep.ts): kafkajs exports none, so it is built from its own module.
import { createRequire } from "node:module";

export interface TestRequestQueue {
  pending: { send(): void; expectResponse: boolean; correlationId: number }[];
  inflight: Map<number, { sentAt: number; requestTimeout: number; timeoutRequest(): void }>;
  throttledUntil: number;
  checkPendingRequests: () => void;
  scheduleCheckPendingRequests(): void;
  scheduleRequestTimeoutCheck(): void;
  fulfillRequest(response: { correlationId: number; payload: null; size: number }): void;
  destroy(): void;
}

const require = createRequire(import.meta.url);
const RequestQueue = require("kafkajs/src/network/requestQueue/index.js") as new (
  options: object,
) => TestRequestQueue;
const { createLogger, LEVELS } = require("kafkajs/src/loggers/index.js") as {
  createLogger: (options: object) => unknown;
  LEVELS: { NOTHING: number };
};

/** A queue of one connection to a made-up broker, with kafkajs' default 30 s request timeout. */
export function testRequestQueue(isConnected: () => boolean = () => true): TestRequestQueue {
  return new RequestQueue({
    instrumentationEmitter: null,
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    enforceRequestTimeout: true,
    clientId: "weir-test",
    broker: "127.0.0.1:9092",
    logger: createLogger({ level: LEVELS.NOTHING, logCreator: () => () => undefined }),
    isConnected,
  });
}
