/**
 * How much of a byte budget an item takes (its payload bytes): a queue of large records (chunks
 * of an upload) is full by bytes long before it is full by count.
 */
export interface ByteBudget<T> {
  maxBytes: number;
  bytesOf(item: T): number;
}

const noCancel = (): void => undefined;

/**
 * A FIFO with a fixed capacity, one per edge, and optionally a byte budget. Producers await
 * `push` while it is full, which is how backpressure travels upstream to the sources; the
 * consumer takes batches. An item larger than the whole budget still goes in, alone.
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  private closed = false;
  private spaceWaiters: (() => void)[] = [];
  private dataWaiters: (() => void)[] = [];
  private bytes = 0;

  constructor(
    readonly capacity: number,
    private readonly budget?: ByteBudget<T>,
  ) {
    if (capacity < 1) throw new RangeError("queue capacity must be at least 1");
  }

  /** Payload bytes queued (0 without a byte budget). */
  get queuedBytes(): number {
    return this.bytes;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Readers waiting for data (waitForData or onData not yet woken or taken back). */
  get waitingReaders(): number {
    return this.dataWaiters.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** True once closed and emptied: nothing more will ever come out. */
  get isDrained(): boolean {
    return this.closed && this.size === 0;
  }

  /** Appends in order, waiting for space as needed. Throws if the queue was closed. */
  async push(items: readonly T[]): Promise<void> {
    let offset = 0;
    while (offset < items.length) {
      if (this.closed) throw new Error("queue is closed");
      const room = this.capacity - this.size;
      const slice =
        room <= 0
          ? []
          : this.budget
            ? this.withinBudget(items, offset, room, this.budget)
            : items.slice(offset, offset + room);
      if (slice.length === 0) {
        await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
        continue;
      }
      this.items.push(...slice);
      offset += slice.length;
      this.wake("data");
    }
  }

  /** Removes up to `max` items without waiting; may return none. */
  take(max: number): T[] {
    const count = Math.min(max, this.size);
    if (count === 0) return [];
    const out = this.items.slice(this.head, this.head + count);
    this.head += count;
    if (this.budget) for (const item of out) this.bytes -= this.budget.bytesOf(item);
    // Compact now and then so the backing array does not grow without bound, and does not keep
    // taken items alive: at once when emptied, and soon with a byte budget (large items).
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if ((this.head > 1024 || (this.budget && this.head > 64)) && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.wake("space");
    return out;
  }

  /** Resolves when there is something to take, or when the queue is closed. */
  waitForData(): Promise<void> {
    if (this.size > 0 || this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => this.dataWaiters.push(resolve));
  }

  /**
   * Calls `wake` once, when there is something to take or the queue closes (at once if so now).
   * Returns what takes the call back: a reader waiting on several queues at once takes it back
   * from the others once one has woken it, so a queue that never gets data (a node's replay
   * queue) does not keep one waiter per wait for ever.
   */
  onData(wake: () => void): () => void {
    if (this.size > 0 || this.closed) {
      wake();
      return noCancel;
    }
    this.dataWaiters.push(wake);
    return () => {
      const index = this.dataWaiters.indexOf(wake);
      if (index >= 0) this.dataWaiters.splice(index, 1);
    };
  }

  /** No more pushes; what is queued can still be taken. Blocked producers are released and throw. */
  close(): void {
    this.closed = true;
    this.wake("data");
    this.wake("space");
  }

  /** Empties the queue, returning what was in it (for dead-lettering on a forced stop). */
  drainRemaining(): T[] {
    return this.take(this.size);
  }

  /** The items from `offset` that fit the budget (one at least when the queue is empty), counted in. */
  private withinBudget(items: readonly T[], offset: number, room: number, budget: ByteBudget<T>): T[] {
    const end = Math.min(items.length, offset + room);
    let at = offset;
    while (at < end) {
      const item = items[at] as T;
      const size = budget.bytesOf(item);
      if ((at > offset || this.size > 0) && this.bytes + size > budget.maxBytes) break;
      this.bytes += size;
      at++;
    }
    return items.slice(offset, at);
  }

  private wake(which: "data" | "space"): void {
    const waiters = which === "data" ? this.dataWaiters : this.spaceWaiters;
    if (waiters.length === 0) return;
    if (which === "data") this.dataWaiters = [];
    else this.spaceWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
