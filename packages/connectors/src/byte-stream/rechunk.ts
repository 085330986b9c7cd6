/**
 * Regroups a byte stream into chunks of exactly `size` bytes (the last one shorter, none empty),
 * whatever sizes it arrives in: a stream's records then have a bounded, predictable size.
 * Holds at most one chunk being filled; each chunk handed out is its own array.
 */
export async function* rechunk(input: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  let filling = uninitialised(size);
  let used = 0;
  for await (const piece of input) {
    let at = 0;
    while (at < piece.byteLength) {
      const take = Math.min(size - used, piece.byteLength - at);
      filling.set(piece.subarray(at, at + take), used);
      used += take;
      at += take;
      if (used === size) {
        yield filling;
        filling = uninitialised(size);
        used = 0;
      }
    }
  }
  if (used > 0) yield filling.subarray(0, used);
}

/**
 * A byte array of its own buffer, not zeroed: each is filled whole before it is handed out
 * (or cut to what was filled), and zeroing a chunk costs about a third of copying into it.
 */
function uninitialised(size: number): Uint8Array {
  const buffer = Buffer.allocUnsafeSlow(size);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, size);
}
