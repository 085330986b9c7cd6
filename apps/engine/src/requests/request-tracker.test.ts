import { describe, expect, it } from "vitest";
import type { WeirRecord } from "@weir/domain";
import { REQUEST_HEADER, RequestTracker } from "./request-tracker";
import type { ResponseTarget } from "./request-tracker";

function target(): ResponseTarget & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    write: (record) => events.push(`write ${JSON.stringify(record.value)}`),
    end: () => events.push("end"),
    fail: (status, error) => events.push(`fail ${status} ${error}`),
  };
}

const record = (id: string, value: number): WeirRecord => ({
  key: null,
  value,
  headers: { [REQUEST_HEADER]: id },
  timestamp: 0,
});

describe("RequestTracker", () => {
  it("ends a request once every copy of its records has left the flow", () => {
    const tracker = new RequestTracker();
    const answer = target();
    const id = tracker.start("flow", answer, 10_000);
    const r = record(id, 1);
    tracker.add(r, 2); // fan-out: one copy per edge
    tracker.seal(id);
    tracker.release(r); // one branch's node dropped it (a filter)
    expect(answer.events).toEqual([]);
    expect(tracker.deliver(r)).toBe(true);
    tracker.release(r); // the response sink wrote the other copy
    expect(answer.events).toEqual(["write 1", "end"]);
    expect(tracker.size).toBe(0);
  });

  it("waits for the source to finish emitting, even when the count touches zero", () => {
    const tracker = new RequestTracker();
    const answer = target();
    const id = tracker.start("flow", answer, 10_000);
    const first = record(id, 1);
    tracker.add(first, 1);
    tracker.release(first);
    expect(answer.events).toEqual([]);
    tracker.seal(id);
    expect(answer.events).toEqual(["end"]);
  });

  it("drops a cancelled request's records and forgets it once they are gone", () => {
    const tracker = new RequestTracker();
    const answer = target();
    const id = tracker.start("flow", answer, 10_000);
    const r = record(id, 1);
    tracker.add(r, 1);
    tracker.seal(id);
    tracker.cancel(id);
    expect(tracker.isCancelled(r)).toBe(true);
    expect(tracker.deliver(r)).toBe(false);
    tracker.release(r);
    expect(tracker.size).toBe(0);
    expect(answer.events).toEqual([]);
  });

  it("answers 504 with what was still in the flow when the time is up", async () => {
    const tracker = new RequestTracker();
    const answer = target();
    const id = tracker.start("flow-1", answer, 20);
    tracker.add(record(id, 1), 3);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(answer.events).toEqual([
      "fail 504 request timed out after 20 ms with 3 of its records still in flow flow-1 (the source had not finished accepting it); raise the http-request node's timeoutMs or make the flow faster",
    ]);
  });

  it("ignores records of requests it does not know (a replay)", () => {
    const tracker = new RequestTracker();
    const stray = record("gone", 1);
    tracker.add(stray, 1);
    tracker.release(stray);
    expect(tracker.deliver(stray)).toBe(false);
    expect(tracker.isCancelled(stray)).toBe(false);
  });
});
