import { describe, expect, it } from "vitest";
import { stopRequestQueueIdleLoop } from "./request-queue-idle-loop";
import { testRequestQueue } from "./request-queue.test-queue";
import type { TestRequestQueue } from "./request-queue.test-queue";

function queue(): { queue: TestRequestQueue; checks: () => number } {
  const q = testRequestQueue();
  let checks = 0;
  const check = q.checkPendingRequests;
  q.checkPendingRequests = () => {
    checks++;
    check.call(q);
  };
  return { queue: q, checks: () => checks };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("kafkajs' request queue with stopRequestQueueIdleLoop", () => {
  it("sets no timer after a response when nothing is pending (kafkajs polled every 1 ms forever)", async () => {
    stopRequestQueueIdleLoop();
    stopRequestQueueIdleLoop();
    const { queue: q, checks } = queue();
    q.fulfillRequest({ correlationId: 1, payload: null, size: 0 });
    await sleep(200);
    q.destroy();
    // The response's own check, and none after it (unpatched: ~140 in 200 ms).
    expect(checks()).toBe(1);
  });

  it("still sends a request held back by throttling once the throttle ends", async () => {
    stopRequestQueueIdleLoop();
    const { queue: q } = queue();
    let sent = 0;
    q.throttledUntil = Date.now() + 50;
    q.pending.push({ send: () => (sent += 1), expectResponse: true, correlationId: 2 });
    q.scheduleCheckPendingRequests();
    expect(sent).toBe(0);
    for (let waited = 0; sent === 0 && waited < 5_000; waited += 10) await sleep(10);
    q.destroy();
    expect(sent).toBe(1);
    expect(q.pending).toEqual([]);
  });
});
