import { describe, expect, it } from "vitest";
import type { EdgeMessageFrame } from "./chunk-codec";
import { CHUNK_HEADER, splitMessage } from "./chunk-codec";
import { ValueReassembler } from "./value-reassembler";

function message(size: number, headers: Record<string, string> = { h: "v" }): EdgeMessageFrame {
  const value = new Uint8Array(size);
  for (let i = 0; i < size; i++) value[i] = (i * 13) & 0xff;
  return { key: "k", value, headers, timestamp: "42" };
}

function parts(
  size: number,
  limit: number,
  id: string,
  headers?: Record<string, string>,
): EdgeMessageFrame[] {
  return splitMessage(message(size, headers), limit, () => id);
}

describe("value reassembler", () => {
  it("puts a value back together byte for byte, owned by the unit of its first chunk", () => {
    const original = message(1000);
    const reader = new ValueReassembler<string>(10_000);
    const out = splitMessage(original, 64, () => "v").map((chunk, i) =>
      reader.accept(chunk, `unit${String(i)}`),
    );
    expect(out[0]).toEqual({ kind: "held", first: true });
    expect(out.slice(1, -1).every((m) => m.kind === "held" && !m.first)).toBe(true);
    expect(out.at(-1)).toEqual({ kind: "whole", message: original, owner: "unit0" });
    expect([reader.bytes, reader.parts, reader.inProgress]).toEqual([0, 0, false]);
  });

  it("keeps two writers' interleaved values apart, and passes unsplit messages through as their own", () => {
    const a = message(30, { w: "a" });
    const b = message(20, { w: "b" });
    const [a0, a1, a2] = splitMessage(a, 10, () => "a");
    const [b0, b1] = splitMessage(b, 10, () => "b");
    const plain = message(3);
    const reader = new ValueReassembler<number>(1000);
    const out = [a0, b0, a1, plain, b1, a2].map((m, i) => reader.accept(m as EdgeMessageFrame, i));
    expect(out.map((o) => o.kind)).toEqual(["held", "held", "held", "whole", "whole", "whole"]);
    expect(out.slice(3)).toEqual([
      { kind: "whole", message: plain, owner: 3 },
      { kind: "whole", message: b, owner: 1 },
      { kind: "whole", message: a, owner: 0 },
    ]);
    expect(reader.parts).toBe(0);
  });

  it("skips the tail of a value whose first chunk came before it started (the value was processed)", () => {
    const [, c1, c2, c3] = parts(40, 10, "v1");
    const reader = new ValueReassembler<number>(1000);
    expect([c1, c2, c3].map((c) => reader.accept(c as EdgeMessageFrame, 1))).toEqual([
      { kind: "skipped" },
      { kind: "skipped" },
      { kind: "skipped" },
    ]);
    const again = parts(20, 10, "v2");
    expect(reader.accept(again[0] as EdgeMessageFrame, 4).kind).toBe("held");
    expect(reader.accept(again[1] as EdgeMessageFrame, 5).kind).toBe("whole");
  });

  it("fails a value out of order, releasing what it held and naming its first chunk's owner", () => {
    const [c0, , c2] = parts(30, 10, "v2");
    const reader = new ValueReassembler<string>(1000);
    reader.accept(c0 as EdgeMessageFrame, "first");
    const out = reader.accept(c2 as EdgeMessageFrame, "third");
    expect(out).toMatchObject({
      kind: "failed",
      owner: "first",
      error: "chunk 3 of 3 of value v2 arrived after chunk 1 of 3",
    });
    expect([reader.bytes, reader.parts, reader.inProgress]).toEqual([0, 0, false]);
  });

  it("refuses a value over the limit at its first chunk when its size says so, holding nothing", () => {
    const chunks = parts(100, 10, "big");
    const reader = new ValueReassembler<number>(50);
    const out = reader.accept(chunks[0] as EdgeMessageFrame, 0);
    expect(out).toMatchObject({
      kind: "failed",
      owner: undefined,
      error:
        "value big is too large to put together: at least 91 bytes in 10 chunks, over the reassembly limit of 50 bytes (WEIR_KAFKA_MAX_VALUE_BYTES)",
    });
    expect(chunks.slice(1).map((c) => reader.accept(c, 1).kind)).toEqual(Array(9).fill("skipped"));
    expect(reader.bytes).toBe(0);
  });

  it("bounds what incomplete values hold together: the one that overflows fails, the other completes", () => {
    const a = parts(30, 10, "a");
    const b = parts(30, 10, "b");
    const reader = new ValueReassembler<string>(35);
    expect(reader.accept(a[0] as EdgeMessageFrame, "a").kind).toBe("held");
    expect(reader.accept(b[0] as EdgeMessageFrame, "b").kind).toBe("held");
    expect(reader.accept(a[1] as EdgeMessageFrame, "a").kind).toBe("held");
    expect(reader.accept(b[1] as EdgeMessageFrame, "b")).toMatchObject({
      kind: "failed",
      owner: "b",
      error:
        "value b is too large to put together: 40 bytes held, over the reassembly limit of 35 bytes (WEIR_KAFKA_MAX_VALUE_BYTES)",
    });
    expect(reader.accept(a[2] as EdgeMessageFrame, "a")).toMatchObject({ kind: "whole", owner: "a" });
    expect(reader.accept(b[2] as EdgeMessageFrame, "b")).toEqual({ kind: "skipped" });
  });

  it("fails a malformed marker on its own", () => {
    const reader = new ValueReassembler<number>(100);
    expect(reader.accept({ ...message(1), headers: { [CHUNK_HEADER]: "x" } }, 0)).toMatchObject({
      kind: "failed",
      error: "not a Weir chunk: weir-chunk 'x'",
      owner: undefined,
    });
  });

  it("gives up on a value whose writer stopped mid-value once later messages came and time passed", () => {
    const dead = parts(30, 10, "dead");
    const slow = parts(30, 10, "slow");
    const reader = new ValueReassembler<string>(1000);
    reader.accept(dead[0] as EdgeMessageFrame, "u0", 0);
    reader.accept(dead[1] as EdgeMessageFrame, "u0", 0);
    reader.accept(slow[0] as EdgeMessageFrame, "u1", 0);
    // Time passes, but nothing came after slow's chunk: only dead (passed by slow) may go.
    expect(reader.abandon(5_000, 10_000)).toEqual([]);
    expect(reader.abandon(20_000, 10_000)).toEqual([{ id: "dead", owner: "u0", bytes: 20, parts: 2 }]);
    expect([reader.bytes, reader.parts]).toEqual([10, 1]);
    // The slow writer goes on (its value completes), and dead's late chunk is refused, not skipped.
    reader.accept(slow[1] as EdgeMessageFrame, "u2", 21_000);
    expect(reader.accept(slow[2] as EdgeMessageFrame, "u2", 21_000)).toMatchObject({
      kind: "whole",
      owner: "u1",
    });
    expect(reader.accept(dead[2] as EdgeMessageFrame, "u2", 21_000)).toMatchObject({
      kind: "failed",
      error:
        "chunk 3 of 3 of value dead arrived after the value was given up on (no chunk of it for a long while)",
    });
  });
});
