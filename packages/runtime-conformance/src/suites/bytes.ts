import { describe, expect, it } from "vitest";
import type { RecordOutcome, WeirRecord } from "@weir/domain";
import type { Harness } from "../harness";
import { failureOf, outputsOf, rec } from "../harness";

/** A record whose value is bytes. */
function bytesRec(bytes: number[] | Uint8Array, fields: Partial<Omit<WeirRecord, "value">> = {}): WeirRecord {
  return { key: "k", value: Uint8Array.from(bytes), headers: {}, timestamp: 1_000, ...fields };
}

/** The outputs' values as arrays of numbers (bytes) or as they are (JSON), to compare. */
function shown(outcome: RecordOutcome | undefined): unknown[] {
  return outputsOf(outcome).map(({ record }) =>
    record.value instanceof Uint8Array ? { bytes: [...record.value] } : record.value,
  );
}

/** The cases' sources, exported for the dialects of other languages (dialects/python/). */
export const BYTE_SOURCES = {
  prefixLength: [
    "export default (r: { value: unknown }) => {",
    "  if (!(r.value instanceof Uint8Array)) return { value: typeof r.value };",
    "  const out = new Uint8Array(r.value.length + 1);",
    "  out.set(r.value, 1);",
    "  out[0] = r.value.length;",
    "  return { value: out };",
    "};",
  ].join("\n"),
  dropFirst: "export default (r: any) => ({ value: r.value.subarray(1) });",
  sumAndEcho: [
    "export default (r: any) => {",
    "  let sum = 0;",
    "  for (let i = 0; i < r.value.length; i++) sum = (sum + r.value[i]) | 0;",
    "  return [{ value: sum }, { value: r.value }];",
    "};",
  ].join("\n"),
  xorStream: [
    "export async function* stream(chunks: AsyncIterable<{ value: Uint8Array }>, ctx: any) {",
    "  let at = 0;",
    "  for await (const chunk of chunks) {",
    "    const out = new Uint8Array(chunk.value.length);",
    "    for (let i = 0; i < out.length; i++) out[i] = chunk.value[i] ^ 0xff;",
    "    ctx.write(out.subarray(0, 2));",
    "    ctx.write(out.subarray(2));",
    "    at += out.length;",
    "    yield { value: { upTo: at } };",
    "  }",
    "}",
  ].join("\n"),
  writeThenFail: [
    "export async function* stream(chunks: AsyncIterable<{ value: Uint8Array }>, ctx: any) {",
    "  for await (const chunk of chunks) {",
    "    ctx.write(chunk.value);",
    '    if (chunk.value[0] === 13) throw new Error("unlucky chunk");',
    "  }",
    "}",
  ].join("\n"),
  writeValue: "export default (r: any, ctx: any) => { ctx.write(r.value); return null; };",
};

export function bytesSuite(h: Harness): void {
  describe("byte values", () => {
    it("hands a byte value to the function as a Uint8Array and takes one back", async () => {
      const { instance } = await h.start(BYTE_SOURCES.prefixLength);
      const outcomes = await instance.process([
        bytesRec([1, 2, 3]),
        rec("json"),
        bytesRec([]),
        bytesRec([255]),
      ]);
      expect(outcomes.map(shown)).toEqual([
        [{ bytes: [3, 1, 2, 3] }],
        ["string"],
        [{ bytes: [0] }],
        [{ bytes: [1, 255] }],
      ]);
    });

    it("keeps key, headers and timestamp of a byte record", async () => {
      const { instance } = await h.start(BYTE_SOURCES.dropFirst);
      const [outcome] = await instance.process([
        bytesRec([9, 8, 7], { key: "file", headers: { "weir-request-id": "r1" }, timestamp: 42 }),
      ]);
      const [output] = outputsOf(outcome);
      expect(output?.record).toMatchObject({
        key: "file",
        headers: { "weir-request-id": "r1" },
        timestamp: 42,
      });
      expect([...(output?.record.value as Uint8Array)]).toEqual([8, 7]);
    });

    it("carries a large byte value whole, in a batch with others", async () => {
      // 1 MiB: the wasm runtime interprets JavaScript (no JIT), so the function's loop is slow there.
      const big = new Uint8Array(1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
      const { instance } = await h.start(BYTE_SOURCES.sumAndEcho, { memoryLimitMb: 128, timeoutMs: 20_000 });
      const outcomes = await instance.process([bytesRec([1]), bytesRec(big), bytesRec([2, 3])]);
      let sum = 0;
      for (const byte of big) sum = (sum + byte) | 0;
      const middle = outputsOf(outcomes[1]);
      expect(middle[0]?.record.value).toBe(sum);
      expect(Buffer.from(middle[1]?.record.value as Uint8Array).equals(Buffer.from(big))).toBe(true);
      expect(shown(outcomes[2])).toEqual([5, { bytes: [2, 3] }]);
    });

    it("writes chunks in order with ctx.write in stream mode, across batches", async () => {
      const { instance } = await h.start(BYTE_SOURCES.xorStream);
      const first = await instance.process([bytesRec([0, 1, 2, 3]), bytesRec([0xf0, 0x0f])]);
      const second = await instance.process([bytesRec([0xff, 0xfe, 0xfd])]);
      expect(first.map(shown)).toEqual([
        [{ bytes: [0xff, 0xfe] }, { bytes: [0xfd, 0xfc] }, { upTo: 4 }],
        [{ bytes: [0x0f, 0xf0] }, { bytes: [] }, { upTo: 6 }],
      ]);
      expect(second.map(shown)).toEqual([[{ bytes: [0x00, 0x01] }, { bytes: [0x02] }, { upTo: 9 }]]);
    });

    it("drops a failed record's written chunks and keeps the others", async () => {
      const { instance } = await h.start(BYTE_SOURCES.writeThenFail);
      const [one, bad, two] = await instance.process([bytesRec([1]), bytesRec([13, 13]), bytesRec([2])]);
      expect(shown(one)).toEqual([{ bytes: [1] }]);
      expect(failureOf(bad).message).toBe("unlucky chunk");
      expect(shown(two)).toEqual([{ bytes: [2] }]);
    });

    it("refuses ctx.write of anything but bytes, failing that record", async () => {
      const { instance } = await h.start(BYTE_SOURCES.writeValue);
      const [text, bytes] = await instance.process([rec("text"), bytesRec([7])]);
      expect(failureOf(text).message).toBe("TypeError: ctx.write: expected a Uint8Array (bytes)");
      expect(shown(bytes)).toEqual([{ bytes: [7] }]);
    });
  });
}
