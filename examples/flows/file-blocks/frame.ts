// Frames each compressed block for the answer: its length and Adler-32 checksum (8 bytes,
// big-endian), then the block, written with two ctx.write calls that leave in order. A reader
// (decode.mjs) knows where each block ends and whether it arrived whole.
// The parts of the function contract (@weir/function, which exists only inside the sandbox) used here.
interface Block {
  value: Uint8Array;
}
interface Ctx {
  write(bytes: Uint8Array): void;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; i++) {
    a = (a + (bytes[i] ?? 0)) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

// Everything leaves through ctx.write, in order; the generator yields nothing.
// eslint-disable-next-line require-yield
export async function* stream(blocks: AsyncIterable<Block>, ctx: Ctx) {
  for await (const block of blocks) {
    const header = new Uint8Array(8);
    const view = new DataView(header.buffer);
    view.setUint32(0, block.value.length);
    view.setUint32(4, adler32(block.value));
    ctx.write(header);
    ctx.write(block.value);
  }
}
