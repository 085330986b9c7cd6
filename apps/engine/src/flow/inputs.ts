import type { BoundedQueue } from "./bounded-queue";
import { yieldToEventLoop } from "./yield";

/**
 * The incoming edges of one node read as one stream: batches come from one edge at a time,
 * edges taken in turn, so each edge's order is kept and none starves the others.
 */
export class NodeInputs<T> {
  private next = 0;

  constructor(private readonly queues: readonly BoundedQueue<T>[]) {}

  /** The next batch of up to `max` items, or null once every edge is closed and empty. */
  async take(max: number): Promise<T[] | null> {
    await yieldToEventLoop();
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
      // Only open edges: a closed, empty one would resolve at once and spin this loop.
      await Promise.race(this.queues.filter((queue) => !queue.isDrained).map((queue) => queue.waitForData()));
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
