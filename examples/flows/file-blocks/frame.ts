// Frames each compressed block for the answer: its length and Adler-32 checksum (8 bytes,
// big-endian), then the block, written with two ctx.write calls that leave in order. A reader
// (decode.mjs) knows where each block ends and whether it arrived whole.
import type { Ctx, WeirRecord } from "@weir/function";

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; i++) {
    a = (a + (bytes[i] ?? 0)) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export async function* stream(blocks: AsyncIterable<WeirRecord<Uint8Array>>, ctx: Ctx) {
  for await (const block of blocks) {
    const header = new Uint8Array(8);
    const view = new DataView(header.buffer);
    view.setUint32(0, block.value.length);
    view.setUint32(4, adler32(block.value));
    ctx.write(header);
    ctx.write(block.value);
  }
}
