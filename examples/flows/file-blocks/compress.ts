// Compresses each block of the upload on its own with PackBits (the run-length code of TIFF and
// Apple's old formats: node:zlib is not in the sandbox, and a block-by-block code lets every
// block leave as soon as it is done). A control byte n in 0..127 is followed by n + 1 literal
// bytes; n in 129..255 by one byte to repeat 257 - n times.
// The parts of the function contract (@weir/function, which exists only inside the sandbox) used here.
interface Block {
  value: Uint8Array;
}
interface Ctx {
  write(bytes: Uint8Array): void;
}

function packBits(input: Uint8Array): Uint8Array {
  // At worst one control byte per 128 literals.
  const out = new Uint8Array(input.length + Math.ceil(input.length / 128) + 1);
  let o = 0;
  let i = 0;
  while (i < input.length) {
    let run = 1;
    while (i + run < input.length && run < 128 && input[i + run] === input[i]) run++;
    if (run >= 3) {
      out[o++] = 257 - run;
      out[o++] = input[i] ?? 0;
      i += run;
      continue;
    }
    // Literals up to the next run of three (or 128 of them).
    let end = i;
    while (
      end < input.length &&
      end - i < 128 &&
      !(end + 2 < input.length && input[end] === input[end + 1] && input[end] === input[end + 2])
    )
      end++;
    out[o++] = end - i - 1;
    out.set(input.subarray(i, end), o);
    o += end - i;
    i = end;
  }
  return out.subarray(0, o);
}

// Everything leaves through ctx.write, in order; the generator yields nothing.
// eslint-disable-next-line require-yield
export async function* stream(blocks: AsyncIterable<Block>, ctx: Ctx) {
  for await (const block of blocks) ctx.write(packBits(block.value));
}
