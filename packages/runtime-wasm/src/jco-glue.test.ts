import { describe, expect, it } from "vitest";
import { JCO_DATA_VIEW, JCO_LIST_ALLOC, JCO_UTF8_ENCODE, patchJcoGlue } from "./jco-glue";

/** WebAssembly.Memory as the tests use it (the ES2023 lib declares no WebAssembly values). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
const WasmMemory = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory };
  }
).WebAssembly.Memory;

interface Encoder {
  utf8Encode: (s: unknown, realloc: Realloc, memory: WasmMemory) => number;
  encodedLength: () => number;
  utf8Lift: (memory: WasmMemory, ptr: number, len: number) => string;
  setUint64: (view: DataView, at: number, value: unknown) => void;
  getUint64Number: (view: DataView, at: number) => number;
}
type Realloc = (ptr: number, oldSize: number, align: number, newSize: number) => number;

/** The patched lowering, evaluated on its own as the glue would run it. */
function patchedEncoder(): Encoder {
  const patched = patchJcoGlue(JCO_UTF8_ENCODE);
  expect(patched).not.toBe(JCO_UTF8_ENCODE);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the glue is generated text
  const make = new Function(
    "utf8Encoder",
    "toUint64",
    `${patched}\nreturn { utf8Encode, encodedLength: () => utf8EncodedLen, utf8Lift, setUint64, getUint64Number };`,
  ) as (encoder: unknown, toUint64: (value: unknown) => bigint) => Encoder;
  // jco's own toUint64, which the u64 lowering falls back to
  return make(new TextEncoder(), (value) => BigInt.asUintN(64, BigInt(value as number)));
}

/**
 * A guest allocator as the canonical ABI's `realloc`: bump allocation that grows the memory on
 * every call (so the buffer a caller held before is detached), copying on a grow like a real one.
 */
function guestMemory(): { memory: WasmMemory; realloc: Realloc; calls: [number, number, number][] } {
  const memory = new WasmMemory({ initial: 1, maximum: 200 });
  let top = 8;
  const calls: [number, number, number][] = [];
  const realloc: Realloc = (ptr, oldSize, _align, newSize) => {
    calls.push([ptr, oldSize, newSize]);
    memory.grow(1);
    if (ptr !== 0 && newSize <= oldSize) return ptr;
    const at = top;
    top += newSize;
    if (ptr !== 0) new Uint8Array(memory.buffer).copyWithin(at, ptr, ptr + oldSize);
    return at;
  };
  return { memory, realloc, calls };
}

describe("jco glue patch: string lowering straight into the guest's memory", () => {
  const cases = [
    "",
    "a",
    '{"id":"order-1","total":12.5}',
    "é",
    "a😀b",
    "\ud800x",
    "ü".repeat(1000),
    `${"x".repeat(50)}日本`,
  ];
  for (const text of cases) {
    it(`writes the same UTF-8 bytes as TextEncoder.encode for ${JSON.stringify(text.slice(0, 20))}`, () => {
      const { utf8Encode, encodedLength } = patchedEncoder();
      const { memory, realloc, calls } = guestMemory();
      const ptr = utf8Encode(text, realloc, memory);
      const expected = new TextEncoder().encode(text);
      expect(encodedLength()).toBe(expected.length);
      if (text.length === 0) {
        expect(calls).toEqual([]);
        return;
      }
      expect([...new Uint8Array(memory.buffer, ptr, encodedLength())]).toEqual([...expected]);
      // the allocation ends at the exact length: the last realloc asked for it
      expect(calls.at(-1)?.[2]).toBe(expected.length);
    });
  }

  it("lifts strings as TextDecoder does, bad UTF-8 included, and only from inside the memory", () => {
    const { utf8Lift } = patchedEncoder();
    const { memory } = guestMemory();
    const samples = [
      [],
      [0x61, 0x62],
      [...new TextEncoder().encode('{"a":"é😀日本"}')],
      [0xff, 0x61, 0xc3, 0x28, 0xe2, 0x82, 0xf0, 0x9f, 0x98, 0xed, 0xa0, 0x80, 0xc0, 0xaf],
    ];
    let at = 100;
    for (const sample of samples) {
      new Uint8Array(memory.buffer).set(sample, at);
      const expected = new TextDecoder().decode(new Uint8Array(memory.buffer, at, sample.length));
      expect(utf8Lift(memory, at, sample.length)).toBe(expected);
      at += sample.length;
    }
    // after a grow (the buffer it held is detached), the same bytes
    memory.grow(1);
    expect(utf8Lift(memory, 100, 2)).toBe("ab");
    const size = memory.buffer.byteLength;
    for (const [ptr, len] of [
      [-1, 2],
      [0, -1],
      [size - 1, 2],
      [size + 5, 0],
    ] as const)
      expect(() => utf8Lift(memory, ptr, len), `${ptr}, ${len}`).toThrow(RangeError);
    expect(utf8Lift(memory, size, 0)).toBe("");
  });

  it("lowers a u64 from a number or a BigInt as setBigInt64 does, and lifts a timestamp as a number", () => {
    const { setUint64, getUint64Number } = patchedEncoder();
    const view = new DataView(new ArrayBuffer(16));
    const expected = new DataView(new ArrayBuffer(16));
    for (const value of [
      0,
      1,
      1_700_000_000_123,
      2 ** 32,
      2 ** 32 - 1,
      Number.MAX_SAFE_INTEGER,
      5n,
      2n ** 64n - 1n,
      -1,
    ]) {
      setUint64(view, 4, value);
      expected.setBigInt64(4, BigInt.asUintN(64, BigInt(value)), true);
      expect(view.getBigUint64(4, true), String(value)).toBe(expected.getBigUint64(4, true));
      expect(getUint64Number(view, 4)).toBe(Number(expected.getBigUint64(4, true)));
    }
    // what jco's own lowering rejects, this one does too
    expect(() => {
      setUint64(view, 0, 1.5);
    }).toThrow(RangeError);
  });

  it("still rejects what is not a string", () => {
    const { memory, realloc } = guestMemory();
    expect(() => patchedEncoder().utf8Encode(42, realloc, memory)).toThrow(TypeError);
  });

  it("keeps jco's DataView valid after the memory grew", () => {
    const patched = patchJcoGlue(`let dv = new DataView(new ArrayBuffer());\n  ${JCO_DATA_VIEW}`);
    expect(patched).not.toContain(JCO_DATA_VIEW);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the glue is generated text
    const makeDataView = new Function(`${patched}\nreturn dataView;`) as () => (m: WasmMemory) => DataView;
    const dataView = makeDataView();
    const memory = new WasmMemory({ initial: 1, maximum: 4 });
    const other = new WasmMemory({ initial: 2 });
    dataView(memory).setInt32(0, 7, true);
    expect(dataView(memory)).toBe(dataView(memory));
    memory.grow(1);
    expect(dataView(memory).byteLength).toBe(2 * 65536);
    expect(dataView(memory).getInt32(0, true)).toBe(7);
    expect(dataView(other).byteLength).toBe(2 * 65536);
    expect(dataView(memory).byteLength).toBe(2 * 65536);
  });

  it("lowers an empty list without calling the guest's realloc, and any other list as jco did", () => {
    // jco 1.10's lowering of a list<tuple<string, string>> (the headers), as it writes it
    const jco = "var result7 = realloc0(0, 0, 4, len7 * 16);";
    const patched = patchJcoGlue(jco);
    expect(patched).not.toBe(jco);
    expect(new RegExp(JCO_LIST_ALLOC.source).test(patched)).toBe(false);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the glue is generated text
    const lower = new Function("realloc0", "len7", `${patched}\nreturn result7;`) as (
      realloc: Realloc,
      length: number,
    ) => number;
    const calls: number[][] = [];
    const realloc: Realloc = (...args) => {
      calls.push(args);
      return 1000;
    };
    expect(lower(realloc, 0)).toBe(4);
    expect(calls).toEqual([]);
    expect(lower(realloc, 3)).toBe(1000);
    expect(calls).toEqual([[0, 0, 4, 48]]);
  });

  it("leaves glue it does not recognise as it is", () => {
    expect(patchJcoGlue("function utf8Encode(s) { return s; }")).toBe("function utf8Encode(s) { return s; }");
  });
});
