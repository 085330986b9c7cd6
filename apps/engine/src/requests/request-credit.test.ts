import { describe, expect, it } from "vitest";
import type { WeirRecord } from "@weir/domain";
import { CreditBook, SOURCE_CREDIT, childCredit, creditOf, withCredit } from "./request-credit";
import { RequestTracker } from "./request-tracker";
import type { ResponseTarget } from "./request-tracker";

const record = (value: number): WeirRecord => ({ key: null, value, headers: {}, timestamp: 0 });

function target(): ResponseTarget & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    write: (r) => events.push(`write ${JSON.stringify(r.value)}`),
    end: () => events.push("end"),
    fail: (status, error) => events.push(`fail ${status} ${error}`),
  };
}

describe("request credit", () => {
  it("never passes on more than the input held, however many outputs come in however many sends", () => {
    const book = new CreditBook("fn");
    const input = { token: "t", amount: SOURCE_CREDIT };
    let passed = 0n;
    for (let i = 0; i < 10_000; i++) {
      const copies = 1 + (i % 3);
      const share = book.pass(input, copies);
      expect(share).toBeDefined();
      passed += (share?.amount ?? 0n) * BigInt(copies);
    }
    const kept = book.settle(input);
    expect(kept).toBeGreaterThan(0n);
    expect(passed + kept).toBe(SOURCE_CREDIT);
  });

  it("gives outputs tokens that depend only on their input and place, so redelivered work repeats them", () => {
    const first = new CreditBook("fn");
    const again = new CreditBook("fn");
    const input = { token: "t", amount: 1000n };
    expect(first.pass(input, 2)).toEqual(again.pass(input, 2));
    expect(first.pass(input, 1)?.token).not.toBe(first.pass(input, 1)?.token);
    expect(new CreditBook("other").pass(input, 2)?.token).not.toBe(
      new CreditBook("fn").pass(input, 2)?.token,
    );
  });

  it("says when a share has run out", () => {
    expect(childCredit(5n, 1, 2)).toBe(0n);
    expect(new CreditBook("fn").pass({ token: "t", amount: 1n }, 1)).toBeUndefined();
  });

  it("reads back the credit it writes, and nothing from a record without it", () => {
    const credited = withCredit(record(1), { token: "abc", amount: SOURCE_CREDIT - 1n });
    expect(creditOf(credited)).toEqual({ token: "abc", amount: SOURCE_CREDIT - 1n });
    expect(creditOf(record(1))).toBeUndefined();
    expect(
      creditOf({ ...record(1), headers: { "weir-request-token": "x", "weir-request-credit": "zz" } }),
    ).toBe(undefined);
  });

  it("ends a request once all its credit is back, in any order, counting a repeated return once", () => {
    const tracker = new RequestTracker();
    const answer = target();
    const id = tracker.start("flow", answer, 10_000);
    tracker.issue(id, 100n);
    tracker.seal(id);
    const where = { engine: "b", node: "fn" };
    tracker.giveBack(id, "child@res", 30n, where); // a child's return overtakes its parent's
    tracker.deliverOnce("child@res", { ...record(7), headers: { "weir-request-id": id } });
    tracker.deliverOnce("child@res", { ...record(7), headers: { "weir-request-id": id } });
    tracker.giveBack(id, "child@res", 30n, where); // redelivered: ignored
    expect(answer.events).toEqual(["write 7"]);
    tracker.giveBack(id, "parent@fn", 70n, where);
    expect(answer.events).toEqual(["write 7", "end"]);
    expect(tracker.size).toBe(0);
  });

  it("says in its 504 what was answered and who last moved the request", async () => {
    const tracker = new RequestTracker();
    const answer = target();
    const cancelled: string[] = [];
    const watched = new RequestTracker((cancelledId) => cancelled.push(cancelledId));
    const id = watched.start("flow-1", answer, 20);
    watched.issue(id, 10n);
    watched.seal(id);
    watched.giveBack(id, "a@fn", 4n, { engine: "engine-b", node: "fn" });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(answer.events).toHaveLength(1);
    expect(answer.events[0]).toMatch(
      /^fail 504 request timed out after 20 ms with records still in flow flow-1 \(0 answered so far; the last record to leave it left node 'fn' on engine engine-b \d+ ms before\); raise/,
    );
    expect(cancelled).toEqual([id]);
    expect(tracker.size).toBe(0);
  });
});
