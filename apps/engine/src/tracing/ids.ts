import { randomFillSync } from "node:crypto";

/**
 * Random trace and span ids (W3C: 16 and 8 bytes, lower-case hex, not all zero), cut from a pool
 * of random bytes filled 4 KiB at a time, so an id costs a slice of it, not a system call.
 */
const pool = Buffer.alloc(4096);
let used = pool.length;

function hex(bytes: number): string {
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const id = pool.toString("hex", used, used + bytes);
  used += bytes;
  // All zero is invalid; 2^-64 at worst, but then try again.
  return id.startsWith("00") && /^0+$/.test(id) ? hex(bytes) : id;
}

export const newTraceId = (): string => hex(16);
export const newSpanId = (): string => hex(8);
