import { describe, expect, it } from "vitest";
import { BoundedQueue } from "./bounded-queue";
import { NodeInputs } from "./inputs";

describe("BoundedQueue", () => {
  it("makes a producer wait while full and releases it as the consumer takes", async () => {
    const queue = new BoundedQueue<number>(2);
    let done = false;
    const push = queue.push([1, 2, 3, 4, 5]).then(() => (done = true));
    await Promise.resolve();
    expect(queue.size).toBe(2);
    expect(done).toBe(false);
    expect(queue.take(10)).toEqual([1, 2]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.take(10)).toEqual([3, 4]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.take(10)).toEqual([5]);
    await push;
    expect(done).toBe(true);
  });

  it("with a byte budget, makes a producer wait while the queued bytes fill it, whatever the count", async () => {
    const queue = new BoundedQueue<number>(100, { maxBytes: 10, bytesOf: (size) => size });
    let done = false;
    const push = queue.push([4, 4, 4, 30, 1]).then(() => (done = true));
    await Promise.resolve();
    // 4 + 4 fit, the third 4 would pass the budget: it waits
    expect(queue.size).toBe(2);
    expect(queue.queuedBytes).toBe(8);
    expect(queue.take(1)).toEqual([4]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.take(10)).toEqual([4, 4]);
    // an item larger than the whole budget goes in alone once the queue is empty
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.take(10)).toEqual([30]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.take(10)).toEqual([1]);
    await push;
    expect(done).toBe(true);
    expect(queue.queuedBytes).toBe(0);
  });

  it("keeps no taken item alive: a queue of large items does not hold what it handed out", async () => {
    const queue = new BoundedQueue<object>(10_000, { maxBytes: 100, bytesOf: () => 1 });
    await queue.push([{}, {}, {}]);
    queue.take(2);
    queue.take(1);
    // the backing array (private) is emptied as soon as everything was taken
    expect((queue as unknown as { items: object[] }).items).toEqual([]);
  });

  it("refuses pushes after close but lets the consumer drain", async () => {
    const queue = new BoundedQueue<number>(10);
    await queue.push([1]);
    queue.close();
    await expect(queue.push([2])).rejects.toThrow("queue is closed");
    expect(queue.isDrained).toBe(false);
    expect(queue.take(5)).toEqual([1]);
    expect(queue.isDrained).toBe(true);
  });
});

describe("NodeInputs", () => {
  it("reads several edges in turn, keeping each edge's order, and ends when all are drained", async () => {
    const a = new BoundedQueue<string>(10);
    const b = new BoundedQueue<string>(10);
    await a.push(["a1", "a2", "a3"]);
    await b.push(["b1", "b2"]);
    a.close();
    b.close();
    const inputs = new NodeInputs([a, b]);
    const seen: string[] = [];
    for (let batch = await inputs.take(2); batch; batch = await inputs.take(2)) seen.push(...batch);
    expect(seen).toEqual(["a1", "a2", "b1", "b2", "a3"]);
  });

  it("waits for data instead of ending while an edge is open", async () => {
    const queue = new BoundedQueue<number>(10);
    const inputs = new NodeInputs([queue]);
    const next = inputs.take(5);
    setTimeout(() => void queue.push([7]), 10);
    await expect(next).resolves.toEqual([7]);
  });
});

describe("NodeInputs regression: a closed edge next to an open one", () => {
  it("waits for the open edge instead of spinning on the closed one", async () => {
    const closed = new BoundedQueue<number>(10);
    closed.close();
    const open = new BoundedQueue<number>(10);
    const inputs = new NodeInputs([closed, open]);
    let timerRan = false;
    setTimeout(() => {
      timerRan = true;
      void open.push([1]);
    }, 10);
    // A spinning take() would starve the timer and never return.
    await expect(inputs.take(5)).resolves.toEqual([1]);
    expect(timerRan).toBe(true);
  });
});
