import { describe, expect, it } from "vitest";
import { JCO_DATA_VIEW, JCO_UTF8_ENCODE, patchJcoGlue } from "./jco-glue";

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
}
type Realloc = (ptr: number, oldSize: number, align: number, newSize: number) => number;

/** The patched lowering, evaluated on its own as the glue would run it. */
function patchedEncoder(): Encoder {
  const patched = patchJcoGlue(JCO_UTF8_ENCODE);
  expect(patched).not.toBe(JCO_UTF8_ENCODE);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the glue is generated text
  const make = new Function(
    "utf8Encoder",
    `${patched}\nreturn { utf8Encode, encodedLength: () => utf8EncodedLen };`,
  ) as (encoder: unknown) => Encoder;
  return make(new TextEncoder());
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

  it("leaves glue it does not recognise as it is", () => {
    expect(patchJcoGlue("function utf8Encode(s) { return s; }")).toBe("function utf8Encode(s) { return s; }");
  });
});
