import { describe, expect, it } from "vitest";
import type { PortRecord, WeirRecord } from "@weir/domain";
import type { NodeOutput } from "../transport/edge-transport";
import { EdgePeeks } from "./edge-peeks";
import type { WatchRequest } from "./edge-peeks";
import { PeekedInput } from "./peeked-input";
import { PeekedOutput } from "./peeked-output";
import { RingBuffer } from "./ring-buffer";

const rec = (n: number, extra: Record<string, unknown> = {}): WeirRecord => ({
  key: `k${String(n)}`,
  value: { n, ...extra },
  headers: {},
  timestamp: n,
});

/** An output that remembers what reached the transport. */
function transport(): NodeOutput & { sent: WeirRecord[] } {
  const sent: WeirRecord[] = [];
  return {
    sent,
    send: (outputs: readonly PortRecord[]) => {
      for (const o of outputs) sent.push(o.record);
      return Promise.resolve();
    },
    sendToPort: (_port: string, records: readonly WeirRecord[]) => {
      sent.push(...records);
      return Promise.resolve();
    },
    close: () => undefined,
  };
}

function setup(capacity = 3, maxValueChars = 200) {
  const clock = { now: 1_000_000 };
  const peeks = new EdgePeeks({ capacity, maxValueChars, now: () => clock.now, sweepMs: 0 });
  const inner = transport();
  const output = new PeekedOutput(inner, peeks.tapsOf("d1", "fn"), () => clock.now);
  const request = (watcher: string, over: Partial<WatchRequest> = {}): WatchRequest => ({
    deploymentId: "d1",
    edge: { id: "e1", fromNode: "fn", port: "out" },
    watcher,
    leaseMs: 10_000,
    redactor: () => Promise.resolve((text: string) => text.split("hunter2").join("***")),
    ...over,
  });
  return { clock, peeks, inner, output, request };
}

describe("RingBuffer", () => {
  it("keeps the last `capacity` items, newest first", () => {
    const ring = new RingBuffer<number>(3);
    expect(ring.newestFirst()).toEqual([]);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.newestFirst()).toEqual([5, 4, 3]);
    expect(ring.size).toBe(3);
  });

  it("refuses a capacity that is not a positive integer", () => {
    expect(() => new RingBuffer(0)).toThrow(/positive integer \(got 0\)/);
  });
});

describe("EdgePeeks", () => {
  it("samples nothing while nobody watches, and every record passes through", async () => {
    const { peeks, inner, output, request } = setup();
    await output.sendToPort("out", [rec(1), rec(2)]);
    const first = await peeks.watch(request("w"));
    expect(first.samples).toEqual([]);
    expect(first.total).toBe(0);
    expect(inner.sent).toHaveLength(2);
  });

  it("keeps the last N records of the watched port only, newest first, with the count", async () => {
    const { peeks, output, request } = setup(3);
    await peeks.watch(request("w"));
    await output.sendToPort("out", [rec(1), rec(2), rec(3), rec(4)]);
    await output.send([
      { port: "other", record: rec(99) },
      { port: "out", record: rec(5) },
    ]);
    const reading = await peeks.watch(request("w"));
    expect(reading.produced).toBe(true);
    expect(reading.samples.map((s) => s.key)).toEqual(["k5", "k4", "k3"]);
    expect(reading.samples[0]?.value).toBe('{"n":5}');
    expect(reading.total).toBe(5);
  });

  it("stops sampling and frees the buffer when the last lease ends, by unwatch or by time", async () => {
    const { clock, peeks, output, request } = setup();
    await peeks.watch(request("a"));
    await peeks.watch(request("b"));
    peeks.unwatch("d1", "e1", "a");
    expect(peeks.watched).toBe(1); // b still watches
    await output.sendToPort("out", [rec(1)]);
    clock.now += 10_001; // b's lease runs out
    peeks.sweep();
    expect(peeks.watched).toBe(0);
    expect(peeks.tapsOf("d1", "fn").size).toBe(0);
    await output.sendToPort("out", [rec(2)]);
    const again = await peeks.watch(request("c"));
    expect(again.samples).toEqual([]); // a new lease starts from nothing
    expect(again.total).toBe(0);
  });

  it("a renewed lease keeps sampling past its first end", async () => {
    const { clock, peeks, output, request } = setup();
    await peeks.watch(request("w"));
    clock.now += 8_000;
    await peeks.watch(request("w"));
    clock.now += 8_000;
    peeks.sweep();
    await output.sendToPort("out", [rec(7)]);
    expect((await peeks.watch(request("w"))).total).toBe(1);
  });

  it("gives the rate over the last seconds", async () => {
    const { clock, peeks, output, request } = setup();
    clock.now = 2_000_000; // on a second boundary
    await peeks.watch(request("w"));
    for (let s = 0; s < 4; s++) {
      await output.sendToPort(
        "out",
        Array.from({ length: 50 }, (_, i) => rec(i)),
      );
      clock.now += 1000;
    }
    const reading = await peeks.watch(request("w"));
    expect(reading.total).toBe(200);
    expect(reading.perSec).toBe(50);
  });

  it("has no rate for the first 200 ms", async () => {
    const { peeks, request } = setup();
    expect((await peeks.watch(request("w"))).perSec).toBeNull();
  });

  it("redacts secrets before cutting a long value", async () => {
    const { peeks, output, request } = setup(3, 20);
    await peeks.watch(request("w"));
    await output.sendToPort("out", [
      { key: "hunter2", value: { pw: "hunter2", pad: "x".repeat(50) }, headers: {}, timestamp: 1 },
    ]);
    const [sample] = (await peeks.watch(request("w"))).samples;
    expect(sample?.key).toBe("***");
    expect(sample?.value).toBe('{"pw":"***","pad":"x');
    expect(sample?.value).toHaveLength(20);
    expect(sample?.truncated).toBe(true);
  });

  it("samples a byte value as base64 of its first bytes and its whole length, text secrets redacted", async () => {
    const { peeks, output, request } = setup(3, 200);
    await peeks.watch(request("w"));
    const big = Uint8Array.from({ length: 70_000 }, (_, i) => i % 256);
    const secret = new TextEncoder().encode("token=hunter2;");
    await output.sendToPort("out", [
      { key: null, value: Uint8Array.from([0, 255, 1]), headers: {}, timestamp: 1 },
      { key: null, value: big, headers: {}, timestamp: 2 },
      { key: null, value: secret, headers: {}, timestamp: 3 },
    ]);
    const [text, large, small] = (await peeks.watch(request("w"))).samples;
    expect(JSON.parse(small?.value ?? "")).toEqual({ $bytes: "AP8B", length: 3 });
    expect(small?.truncated).toBe(false);
    // (200 - 40) * 3 / 4 = 120 bytes kept, never cut mid-text, and the whole length.
    const shown = JSON.parse(large?.value ?? "") as { $bytes: string; length: number };
    expect(shown.length).toBe(70_000);
    expect([...Buffer.from(shown.$bytes, "base64")]).toEqual([...big.subarray(0, 120)]);
    expect(large?.value.length).toBeLessThanOrEqual(200);
    expect(large?.truncated).toBe(true);
    const redacted = JSON.parse(text?.value ?? "") as { $bytes: string; length: number };
    expect(Buffer.from(redacted.$bytes, "base64").toString("utf8")).toBe("token=***;");
    expect(redacted.length).toBe(secret.length);
  });

  it("says when this engine does not run the edge's sending node", async () => {
    const { peeks, request } = setup();
    const reading = await peeks.watch(
      request("w", { edge: { id: "e9", fromNode: "elsewhere", port: "out" } }),
    );
    expect(reading.produced).toBe(false);
  });

  it("forgets a stopped deployment's taps and watches", async () => {
    const { peeks, request } = setup();
    await peeks.watch(request("w"));
    peeks.forget("d1");
    expect(peeks.watched).toBe(0);
  });

  it("asks for the redactor once when two watchers start at the same time", async () => {
    const { peeks, request } = setup();
    let asked = 0;
    const redactor = () => {
      asked++;
      return Promise.resolve((t: string) => t);
    };
    await Promise.all([peeks.watch(request("a", { redactor })), peeks.watch(request("b", { redactor }))]);
    expect(asked).toBe(1);
    expect(peeks.watched).toBe(1);
  });
});

describe("PeekedInput", () => {
  it("samples the records a node takes from a source that has no sender, only while watched", async () => {
    const clock = { now: 5_000_000 };
    const peeks = new EdgePeeks({ capacity: 5, maxValueChars: 100, now: () => clock.now, sweepMs: 0 });
    const batches: WeirRecord[][] = [[rec(1)], [rec(2), rec(3)]];
    const input = new PeekedInput(
      { take: () => Promise.resolve(batches.shift() ?? null), ack: () => Promise.resolve() },
      peeks.tapsOf("d1", "src"),
      "out",
      () => clock.now,
    );
    expect(await input.take(10)).toEqual([rec(1)]); // unwatched: passed on, not kept
    const request: WatchRequest = {
      deploymentId: "d1",
      edge: { id: "e1", fromNode: "src", port: "out" },
      watcher: "w",
      leaseMs: 10_000,
      redactor: () => Promise.resolve((t: string) => t),
    };
    await peeks.watch(request);
    expect(await input.take(10)).toEqual([rec(2), rec(3)]);
    expect(await input.take(10)).toBeNull();
    const reading = await peeks.watch(request);
    expect(reading.produced).toBe(true);
    expect(reading.samples.map((s) => s.key)).toEqual(["k3", "k2"]);
    expect(reading.total).toBe(2);
  });
});
