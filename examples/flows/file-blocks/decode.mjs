#!/usr/bin/env node
// Reads a file-blocks answer on stdin (frames of [length, Adler-32] + a PackBits block), checks
// every frame's checksum and writes the decompressed file to stdout:
//   curl -sT big.file "$URL" | node examples/flows/file-blocks/decode.mjs > copy && cmp big.file copy
import { stdin, stdout, exit } from "node:process";

function adler32(bytes) {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function unpackBits(input) {
  const parts = [];
  let i = 0;
  while (i < input.length) {
    const n = input[i++];
    if (n < 128) {
      parts.push(input.subarray(i, i + n + 1));
      i += n + 1;
    } else if (n > 128) {
      parts.push(Buffer.alloc(257 - n, input[i++]));
    }
  }
  return Buffer.concat(parts);
}

let pending = Buffer.alloc(0);
let frames = 0;
for await (const chunk of stdin) {
  pending = Buffer.concat([pending, chunk]);
  while (pending.length >= 8) {
    const length = pending.readUInt32BE(0);
    if (pending.length < 8 + length) break;
    const block = pending.subarray(8, 8 + length);
    if (adler32(block) !== pending.readUInt32BE(4)) {
      process.stderr.write(`frame ${frames}: checksum mismatch\n`);
      exit(1);
    }
    if (!stdout.write(unpackBits(block))) await new Promise((resolve) => stdout.once("drain", resolve));
    pending = pending.subarray(8 + length);
    frames++;
  }
}
if (pending.length > 0) {
  process.stderr.write(`${pending.length} bytes after the last whole frame: the answer was cut short\n`);
  exit(1);
}
process.stderr.write(`${frames} blocks, every checksum right\n`);
