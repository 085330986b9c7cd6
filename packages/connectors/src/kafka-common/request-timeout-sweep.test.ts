import { afterEach, describe, expect, it, vi } from "vitest";
import {
  REQUEST_TIMEOUT_SWEEP_MS,
  shareRequestTimeoutChecks,
  sweptConnections,
} from "./request-timeout-sweep";
import { testRequestQueue as queue } from "./request-queue.test-queue";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => {
  vi.restoreAllMocks();
});

describe("kafkajs' request timeouts with shareRequestTimeoutChecks", () => {
  it("checks 200 connections with one timer (kafkajs: one 100 ms interval each)", () => {
    shareRequestTimeoutChecks();
    shareRequestTimeoutChecks();
    const setIntervalSpy = vi.spyOn(globalThis, "setInterval");
    const queues = Array.from({ length: 200 }, () => queue());
    for (const q of queues) q.scheduleRequestTimeoutCheck();
    expect(setIntervalSpy.mock.calls.length).toBeLessThanOrEqual(1);
    expect(sweptConnections()).toBe(200);
    // A reconnect schedules again: still one entry per connection.
    queues[0]?.scheduleRequestTimeoutCheck();
    expect(sweptConnections()).toBe(200);
    for (const q of queues) q.destroy();
    expect(sweptConnections()).toBe(0);
  });

  it("still times out a request that waited longer than its timeout, within one sweep", async () => {
    shareRequestTimeoutChecks();
    const q = queue();
    q.scheduleRequestTimeoutCheck();
    let timedOutAfter: number | undefined;
    const sentAt = Date.now();
    q.inflight.set(7, {
      sentAt,
      requestTimeout: 300,
      timeoutRequest: () => (timedOutAfter ??= Date.now() - sentAt),
    });
    for (let waited = 0; timedOutAfter === undefined && waited < 5_000; waited += 20) await sleep(20);
    q.destroy();
    expect(timedOutAfter).toBeGreaterThan(300);
    expect(timedOutAfter).toBeLessThan(300 + REQUEST_TIMEOUT_SWEEP_MS + 200);
  });

  it("stops watching a connection whose socket is gone", async () => {
    shareRequestTimeoutChecks();
    let connected = true;
    const q = queue(() => connected);
    q.scheduleRequestTimeoutCheck();
    expect(sweptConnections()).toBe(1);
    connected = false;
    for (let waited = 0; sweptConnections() > 0 && waited < 5_000; waited += 20) await sleep(20);
    expect(sweptConnections()).toBe(0);
  });
});
