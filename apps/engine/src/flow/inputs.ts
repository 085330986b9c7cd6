import type { BoundedQueue } from "./bounded-queue";
import { yieldToEventLoop } from "./yield";

/**
 * The incoming edges of one node read as one stream: batches come from one edge at a time,
 * edges taken in turn, so each edge's order is kept and none starves the others.
 */
export class NodeInputs<T> {
  private next = 0;
  /** Whether the last take found its batch waiting (it did not wait for a producer). */
  private tookWithoutWaiting = false;

  constructor(private readonly queues: readonly BoundedQueue<T>[]) {}

  /**
   * The next batch of up to `max` items, or null once every edge is closed and empty. A reader
   * that always finds data would chain microtasks forever and starve timers and I/O, so a take
   * after one that found its batch waiting first lets the event loop turn. A take after one that
   * waited does not: that batch came from a producer's push, and every chain of pushes starts in
   * a turn of its own (a source yields after each emit); a turn per record on each node's way was
   * a good part of what a slow flow's record cost.
   */
  async take(max: number): Promise<T[] | null> {
    if (this.tookWithoutWaiting) await yieldToEventLoop();
    this.tookWithoutWaiting = true;
    for (;;) {
      for (let i = 0; i < this.queues.length; i++) {
        const index = (this.next + i) % this.queues.length;
        const queue = this.queues[index];
        if (queue && queue.size > 0) {
          this.next = (index + 1) % this.queues.length;
          return queue.take(max);
        }
      }
      if (this.queues.every((queue) => queue.isDrained)) return null;
      // Only open edges: a closed, empty one would resolve at once and spin this loop. The
      // queues that did not wake this reader forget it: a Promise.race of each queue's
      // waitForData() left a waiter on every queue per wait, and a node's replay queue, which
      // gets no data, held one per record taken (1,000 flows: 4 million promises after 7
      // minutes, and the engine's heap, and its garbage collector, growing without end).
      let cancels: (() => void)[] = [];
      await new Promise<void>((resolve) => {
        cancels = this.queues.filter((queue) => !queue.isDrained).map((queue) => queue.onData(resolve));
      });
      for (const cancel of cancels) cancel();
      this.tookWithoutWaiting = false;
    }
  }

  /** In memory there is nothing to commit: a record is gone once taken. */
  ack(): Promise<void> {
    return Promise.resolve();
  }

  get backlog(): number {
    return this.queues.reduce((sum, queue) => sum + queue.size, 0);
  }
}
