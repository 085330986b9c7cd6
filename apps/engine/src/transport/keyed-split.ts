import type { WeirRecord } from "@weir/domain";
import type { NodeInputs } from "../flow/inputs";
import type { NodeInput } from "./edge-transport";

/** One instance's share of a KeyedSplit: its input, and how many records wait for it. */
export interface KeyedShare extends NodeInput {
  readonly backlog: number;
  readonly split: KeyedSplit;
}

export function isKeyedShare(input: NodeInput): input is KeyedShare {
  return "split" in input && input.split instanceof KeyedSplit;
}

/** Batches each instance may hold unread before the split stops pulling for the others. */
const HELD_BATCHES = 2;

/**
 * One node's input shared by `count` instances in memory (a function node's `parallelism`): each
 * record goes to the instance its key hashes to, so all records of a key are handled by one
 * instance, in the order they came. Keyless records take turns, as a Kafka producer spreads
 * them over partitions: they keep no order between instances. Pulls from the node's edges take
 * room for every instance's batch, and stop while one instance holds HELD_BATCHES batches unread,
 * so a slow instance holds the others back instead of memory growing.
 */
export class KeyedSplit {
  private readonly held: WeirRecord[][];
  private pulling: Promise<void> | undefined;
  private ended = false;
  private changed: { promise: Promise<void>; wake: () => void } | undefined;
  private nextKeyless = 0;

  constructor(
    private readonly source: NodeInputs<WeirRecord>,
    readonly count: number,
  ) {
    this.held = Array.from({ length: count }, () => []);
  }

  /** What instance `instance` reads. */
  inputOf(instance: number): KeyedShare {
    const take = (max: number): Promise<WeirRecord[] | null> => this.take(instance, max);
    const backlogOf = (): number => this.backlogOf(instance);
    return {
      split: this,
      take,
      // In memory there is nothing to commit: a record is gone once taken.
      ack: () => Promise.resolve(),
      get backlog() {
        return backlogOf();
      },
    };
  }

  /** After a drain timed out: the records still held for instances, which no instance will take now. */
  stranded(): WeirRecord[] {
    this.ended = true;
    const out = this.held.flatMap((records) => records);
    for (const records of this.held) records.length = 0;
    this.notify();
    return out;
  }

  private async take(instance: number, max: number): Promise<WeirRecord[] | null> {
    for (;;) {
      const held = this.held[instance] ?? [];
      if (held.length > 0) {
        let batch: WeirRecord[];
        if (held.length <= max) {
          batch = held;
          this.held[instance] = [];
        } else batch = held.splice(0, max);
        this.notify();
        return batch;
      }
      if (this.ended) return null;
      if (this.pulling) await this.pulling;
      else if (this.held.some((records) => records.length >= max * HELD_BATCHES)) await this.change();
      else {
        this.pulling = this.pull(max * this.count).finally(() => {
          this.pulling = undefined;
        });
      }
    }
  }

  private async pull(max: number): Promise<void> {
    const batch = await this.source.take(max);
    if (batch === null) this.ended = true;
    else for (const record of batch) this.held[this.instanceFor(record)]?.push(record);
    this.notify();
  }

  private instanceFor(record: WeirRecord): number {
    if (record.key === null) {
      this.nextKeyless = (this.nextKeyless + 1) % this.count;
      return this.nextKeyless;
    }
    return keyHash(record.key) % this.count;
  }

  private backlogOf(instance: number): number {
    const own = this.held[instance]?.length ?? 0;
    // The edges' backlog is the node's, counted once.
    return instance === 0 ? own + this.source.backlog : own;
  }

  private change(): Promise<void> {
    if (!this.changed) {
      let wake = (): void => undefined;
      const promise = new Promise<void>((resolve) => {
        wake = resolve;
      });
      this.changed = { promise, wake };
    }
    return this.changed.promise;
  }

  private notify(): void {
    const changed = this.changed;
    this.changed = undefined;
    changed?.wake();
  }
}

/** FNV-1a over the key's UTF-16 code units: cheap, and the same instance for a key every time. */
export function keyHash(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
