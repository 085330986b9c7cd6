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

describe("NodeInputs and the event loop", () => {
  it("hands a waiting reader the batch a push woke it for in the same turn of the event loop", async () => {
    const queue = new BoundedQueue<number>(10);
    const inputs = new NodeInputs([queue]);
    await queue.push([1]);
    await inputs.take(5); // found waiting: the next take may turn the loop first
    const next = inputs.take(5);
    await new Promise((resolve) => setImmediate(resolve)); // now waiting for a producer
    let turned = false;
    setImmediate(() => (turned = true));
    await queue.push([2]);
    await expect(next).resolves.toEqual([2]);
    expect(turned).toBe(false);
    // Taken after a wait: the take after it runs at once too.
    const again = inputs.take(5);
    await queue.push([3]);
    await expect(again).resolves.toEqual([3]);
    expect(turned).toBe(false);
  });

  it("lets the event loop turn before each take that follows one that found its batch waiting", async () => {
    const queue = new BoundedQueue<number>(100);
    await queue.push([...Array(50).keys()]);
    const inputs = new NodeInputs([queue]);
    let turns = 0;
    const count = (): void => {
      turns++;
      if (turns < 1_000) setImmediate(count);
    };
    setImmediate(count);
    for (let i = 0; i < 10; i++) expect(await inputs.take(5)).toHaveLength(5);
    // Ten takes that each found data: the loop turned before the second to the tenth at least.
    expect(turns).toBeGreaterThanOrEqual(9);
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

describe("NodeInputs regression: waiting on an edge and a replay queue that gets nothing (1,000 flows leaked 4 million promises)", () => {
  it("leaves no waiter behind on the queue that did not wake it, however many waits", async () => {
    const edge = new BoundedQueue<number>(10);
    const replay = new BoundedQueue<number>(10);
    const inputs = new NodeInputs([edge, replay]);
    for (let i = 0; i < 1_000; i++) {
      const next = inputs.take(5);
      await new Promise((resolve) => setImmediate(resolve)); // take() is now waiting on both
      expect(replay.waitingReaders).toBe(1);
      await edge.push([i]);
      await expect(next).resolves.toEqual([i]);
    }
    expect(replay.waitingReaders).toBe(0);
    expect(edge.waitingReaders).toBe(0);
  });

  it("is woken by whichever queue gets data first, and still ends once both are closed and drained", async () => {
    const edge = new BoundedQueue<number>(10);
    const replay = new BoundedQueue<number>(10);
    const inputs = new NodeInputs([edge, replay]);
    const first = inputs.take(5);
    await new Promise((resolve) => setImmediate(resolve));
    await replay.push([42]);
    await expect(first).resolves.toEqual([42]);
    expect(edge.waitingReaders).toBe(0);
    const last = inputs.take(5);
    edge.close();
    replay.close();
    await expect(last).resolves.toBeNull();
  });
});
