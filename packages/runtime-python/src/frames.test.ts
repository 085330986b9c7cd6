import { describe, expect, it } from "vitest";
import { FrameReader, MAX_FRAME_BYTES, encodeFrame } from "./frames";

describe("frames", () => {
  it("refuses a frame longer than the limit instead of buffering it", () => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(MAX_FRAME_BYTES + 1, 0);
    expect(() => new FrameReader().push(header)).toThrow(/over the .* limit/);
  });

  it("splits a byte stream into frames whatever its chunks, multi-byte characters included", () => {
    const bytes = Buffer.concat([encodeFrame('{"a":"é"}'), encodeFrame("[]"), encodeFrame('"ünïcödé"')]);
    for (const size of [1, 2, 3, 5, 7, bytes.length]) {
      const reader = new FrameReader();
      const frames: string[] = [];
      for (let at = 0; at < bytes.length; at += size)
        frames.push(...reader.push(bytes.subarray(at, at + size)));
      expect(frames).toEqual(['{"a":"é"}', "[]", '"ünïcödé"']);
    }
  });
});
