/** A frame: a 4-byte big-endian length, then that many bytes of UTF-8 JSON. */
export function encodeFrame(json: string): Buffer {
  const body = Buffer.from(json, "utf8");
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

/** Largest frame a worker may send (one call's result). */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

/** Splits a byte stream into frames, whatever the chunks it arrives in. */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): string[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: string[] = [];
    let at = 0;
    while (this.buffered.length - at >= 4) {
      const length = this.buffered.readUInt32BE(at);
      if (length > MAX_FRAME_BYTES)
        throw new Error(`a frame of ${length} bytes is over the ${MAX_FRAME_BYTES} limit`);
      if (this.buffered.length - at - 4 < length) break;
      frames.push(this.buffered.toString("utf8", at + 4, at + 4 + length));
      at += 4 + length;
    }
    this.buffered = this.buffered.subarray(at);
    return frames;
  }
}
