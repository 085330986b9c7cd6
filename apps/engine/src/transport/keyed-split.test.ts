import { describe, expect, it } from "vitest";
import type { WeirRecord } from "@weir/domain";
import { BoundedQueue } from "../flow/bounded-queue";
import { NodeInputs } from "../flow/inputs";
import { KeyedSplit, keyHash } from "./keyed-split";

const record = (key: string | null, value: number): WeirRecord => ({ key, value, headers: {}, timestamp: 0 });

/** Reads one instance's share to its end, `max` at a time, with a turn of the event loop between batches. */
async function drain(split: KeyedSplit, instance: number, max: number): Promise<WeirRecord[]> {
  const input = split.inputOf(instance);
  const got: WeirRecord[] = [];
  for (let batch = await input.take(max); batch !== null; batch = await input.take(max)) {
    expect(batch.length).toBeGreaterThan(0);
    expect(batch.length).toBeLessThanOrEqual(max);
    got.push(...batch);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return got;
}

describe("KeyedSplit", () => {
  it("gives every record to exactly one instance, a key always to the same one, in order", async () => {
    const queue = new BoundedQueue<WeirRecord>(64);
    const split = new KeyedSplit(new NodeInputs([queue]), 3);
    const sent = Array.from({ length: 2_000 }, (_, i) => record(`k${String(i % 37)}`, i));
    const feeding = (async () => {
      for (let i = 0; i < sent.length; i += 50) await queue.push(sent.slice(i, i + 50));
      queue.close();
    })();
    const shares = await Promise.all([drain(split, 0, 10), drain(split, 1, 10), drain(split, 2, 10)]);
    await feeding;

    expect(
      shares
        .flat()
        .map((r) => r.value as number)
        .sort((a, b) => a - b),
    ).toEqual(sent.map((r) => r.value));
    const keysOf = shares.map((share) => new Set(share.map((r) => r.key)));
    for (const [instance, keys] of keysOf.entries()) {
      for (const key of keys) expect(keyHash(key as string) % 3).toBe(instance);
      // 37 keys over 3 instances: each gets some.
      expect(keys.size).toBeGreaterThan(0);
    }
    for (const share of shares) {
      const last = new Map<string | null, number>();
      for (const r of share) {
        expect(r.value as number).toBeGreaterThan(last.get(r.key) ?? -1);
        last.set(r.key, r.value as number);
      }
    }
  });

  it("spreads keyless records over the instances in turn", async () => {
    const queue = new BoundedQueue<WeirRecord>(100);
    const split = new KeyedSplit(new NodeInputs([queue]), 2);
    await queue.push(Array.from({ length: 10 }, (_, i) => record(null, i)));
    queue.close();
    const [a, b] = await Promise.all([drain(split, 0, 100), drain(split, 1, 100)]);
    expect(a.length).toBe(5);
    expect(b.length).toBe(5);
  });

  it("stops pulling while one instance holds its batches unread, and strands what it holds", async () => {
    const queue = new BoundedQueue<WeirRecord>(1_000);
    const split = new KeyedSplit(new NodeInputs([queue]), 2);
    // Every record is for one instance: the other finds nothing for it.
    const key = keyHash("a") % 2 === 0 ? "a" : "b";
    await queue.push(Array.from({ length: 100 }, (_, i) => record(key, i)));
    const idle = split.inputOf(1);
    const waiting = idle.take(10);
    const outcome = await Promise.race([
      waiting.then(() => "took"),
      new Promise((resolve) => setTimeout(resolve, 50, "waiting")),
    ]);
    expect(outcome).toBe("waiting");
    // The busy instance's share is bounded (two batches of 10), the rest stays on the edge.
    expect(split.inputOf(0).backlog).toBe(100);
    expect(queue.size).toBe(80);

    const stranded = split.stranded();
    expect(stranded.map((r) => r.value)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await waiting).toBeNull();
  });
});
