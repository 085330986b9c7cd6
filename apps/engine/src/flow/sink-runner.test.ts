import type { FlowNode, WeirRecord } from "@weir/domain";
import type { SinkInstance } from "@weir/connectors";
import { describe, expect, it } from "vitest";
import { createLogger } from "../logger";
import { NodeCounters } from "../stats";
import type { NodeInput } from "../transport/edge-transport";
import { runSink } from "./sink-runner";
import type { FlowServices } from "./services";

const record = (n: number): WeirRecord => ({ key: null, value: n, headers: {}, timestamp: 0 });
const MIB = 1024 * 1024;
const chunk = (): WeirRecord => ({ key: null, value: new Uint8Array(MIB), headers: {}, timestamp: 0 });

/** `count` records in batches of `size`, recording how many batches were taken and acked, and when. */
function input(
  count: number,
  size: number,
  events: string[],
  make: (n: number) => WeirRecord = record,
): NodeInput {
  let next = 0;
  let taken = 0;
  let acked = 0;
  return {
    take: () => {
      if (next >= count) return Promise.resolve(null);
      const batch = Array.from({ length: Math.min(size, count - next) }, (_, i) => make(next + i));
      next += batch.length;
      events.push(`take ${String(++taken)}`);
      return Promise.resolve(batch);
    },
    ack: () => {
      events.push(`ack ${String(++acked)}`);
      return Promise.resolve();
    },
  };
}

function services(counters: NodeCounters): FlowServices {
  return {
    log: createLogger("test", { quiet: true }),
    counters: () => counters,
    deadLetters: { add: () => undefined, persisted: () => Promise.resolve() },
  } as unknown as FlowServices;
}

const deployment = { id: "d", flowId: "f", version: 1 } as never;

/** Runs `sink` over `from` as the node "log", with counters of its own. */
function start(sink: SinkInstance, from: NodeInput): { counters: NodeCounters; running: Promise<void> } {
  const counters = new NodeCounters("d", "log", "in");
  const running = runSink({ id: "log" } as FlowNode, sink, from, deployment, services(counters));
  return { counters, running };
}

describe("runSink", () => {
  it("hands an overlapping sink the next batches before the first is stored, and acks them in order", async () => {
    const events: string[] = [];
    const stored: number[] = [];
    // Batches are buffered at once, in call order, and stored when the test releases them.
    const release: (() => void)[] = [];
    const sink: SinkInstance = {
      write: () => Promise.reject(new Error("not used")),
      writeBatch: (records) => {
        events.push("write");
        return new Promise<void>((resolve) =>
          release.push(() => {
            stored.push(...records.map((r) => r.value as number));
            resolve();
          }),
        );
      },
      overlapsBatches: true,
      close: () => Promise.resolve(),
    };
    const { counters, running } = start(sink, input(2_000, 100, events));
    // Nothing is stored yet, and still the sink was handed more than one batch.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const handed = release.length;
    expect(handed).toBeGreaterThan(1);
    expect(events).not.toContain("ack 1");
    expect(counters.accountingJson()).toEqual({ completed: 0, deadLettered: 0, inFlight: handed * 100 });
    // Stored in reverse order of release: the acks still come in the order the batches were taken.
    while (stored.length < 2_000) {
      for (const done of release.splice(0).reverse()) done();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await running;
    const acks = events.filter((e) => e.startsWith("ack"));
    expect(acks).toEqual(Array.from({ length: 20 }, (_, i) => `ack ${String(i + 1)}`));
    expect(counters.accountingJson()).toEqual({ completed: 2_000, deadLettered: 0, inFlight: 0 });
  });

  it.each([
    { held: "16 batches of small records", records: 3_000, size: 100, make: record, handed: 16 },
    { held: "about 8 MiB of byte values", records: 40, size: 2, make: chunk, handed: 5 },
  ])("an overlapping sink holds at most $held unacked", async ({ records, size, make, handed }) => {
    const events: string[] = [];
    const release: (() => void)[] = [];
    const sink: SinkInstance = {
      write: () => Promise.reject(new Error("not used")),
      writeBatch: () => new Promise<void>((resolve) => release.push(resolve)),
      overlapsBatches: true,
      close: () => Promise.resolve(),
    };
    const { counters, running } = start(sink, input(records, size, events, make));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(release.length).toBe(handed);
    while (counters.accountingJson().completed < records) {
      for (const done of release.splice(0)) done();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await running;
    expect(counters.accountingJson()).toEqual({ completed: records, deadLettered: 0, inFlight: 0 });
  });

  it("waits for each batch of a sink that does not overlap before taking the next", async () => {
    const events: string[] = [];
    const sink: SinkInstance = {
      write: () => Promise.resolve(),
      writeBatch: () => {
        events.push("write");
        return new Promise<void>((resolve) => setTimeout(resolve, 2));
      },
      close: () => Promise.resolve(),
    };
    const { counters, running } = start(sink, input(300, 100, events));
    await running;
    expect(events).toEqual([
      "take 1",
      "write",
      "ack 1",
      "take 2",
      "write",
      "ack 2",
      "take 3",
      "write",
      "ack 3",
    ]);
    expect(counters.accountingJson()).toEqual({ completed: 300, deadLettered: 0, inFlight: 0 });
  });
});
