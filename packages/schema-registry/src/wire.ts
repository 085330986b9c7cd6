// Confluent's wire format: byte 0 is the magic 0, bytes 1-4 the schema id (big-endian), then the
// payload. Protobuf payloads start with the message indexes that pick a message in the schema file.

export const MAGIC_BYTE = 0;
export const HEADER_BYTES = 5;

/** A value that is not in the wire format, or is cut short; `message` says which and where. */
export class WireFormatError extends Error {
  override name = "WireFormatError";
}

export interface Framed {
  schemaId: number;
  /** The bytes after the 5-byte header (for Protobuf, message indexes first). */
  payload: Buffer;
}

export function unframe(bytes: Buffer): Framed {
  if (bytes.length < HEADER_BYTES)
    throw new WireFormatError(
      `${String(bytes.length)} bytes is shorter than the 5-byte header (magic byte + schema id)`,
    );
  if (bytes[0] !== MAGIC_BYTE)
    throw new WireFormatError(`unknown magic byte ${String(bytes[0])} (expected 0): not registry-framed`);
  return { schemaId: bytes.readUInt32BE(1), payload: bytes.subarray(HEADER_BYTES) };
}

export function frame(schemaId: number, payload: Uint8Array, prefix?: Uint8Array): Buffer {
  const prefixLength = prefix?.length ?? 0;
  const out = Buffer.allocUnsafe(HEADER_BYTES + prefixLength + payload.length);
  out[0] = MAGIC_BYTE;
  out.writeUInt32BE(schemaId, 1);
  if (prefix) out.set(prefix, HEADER_BYTES);
  out.set(payload, HEADER_BYTES + prefixLength);
  return out;
}

/**
 * Protobuf message indexes: a zigzag varint count, then each index as a zigzag varint; the path
 * [0] (the first message of the file, the common case) is written as the single byte 0.
 */
export function writeMessageIndexes(indexes: readonly number[]): Buffer {
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.from([0]);
  const bytes: number[] = [];
  writeZigzag(indexes.length, bytes);
  for (const index of indexes) writeZigzag(index, bytes);
  return Buffer.from(bytes);
}

export function readMessageIndexes(payload: Buffer): { indexes: number[]; rest: Buffer } {
  let offset = 0;
  const next = (): number => {
    const read = readZigzag(payload, offset);
    offset = read.offset;
    return read.value;
  };
  const count = next();
  if (count === 0) return { indexes: [0], rest: payload.subarray(offset) };
  if (count < 0 || count > 100)
    throw new WireFormatError(`bad Protobuf message index count ${String(count)}`);
  const indexes: number[] = [];
  for (let i = 0; i < count; i++) {
    const index = next();
    if (index < 0) throw new WireFormatError(`bad Protobuf message index ${String(index)}`);
    indexes.push(index);
  }
  return { indexes, rest: payload.subarray(offset) };
}

function writeZigzag(value: number, out: number[]): void {
  let n = value >= 0 ? value * 2 : -value * 2 - 1;
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

function readZigzag(bytes: Buffer, start: number): { value: number; offset: number } {
  let n = 0;
  let scale = 1;
  let offset = start;
  for (;;) {
    if (offset >= bytes.length) throw new WireFormatError("Protobuf message indexes are cut short");
    if (offset - start >= 5) throw new WireFormatError("Protobuf message index varint is too long");
    const byte = bytes[offset++] ?? 0;
    n += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) break;
  }
  return { value: n % 2 === 0 ? n / 2 : -(n + 1) / 2, offset };
}
