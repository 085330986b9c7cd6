// Values larger than a Kafka message may be split into ordered chunk messages and put back
// together by the reader. Pure (no client, no I/O), so it sits at any Kafka client's
// encode/decode boundary: the writer maps each encoded message through `splitMessage`, the
// reader passes each decoded message through one `Reassembler` per partition it reads.
//
// Every chunk carries the original's key (so all land on one partition, in order), timestamp and
// headers, plus `weir-chunk: <index>/<count>/<id>`; the id tells two split values apart should
// two writers' chunks interleave on a partition.

export const CHUNK_HEADER = "weir-chunk";

/** A message as the transport writes and reads it, its value as bytes. */
export interface EdgeMessageFrame {
  key: string | null;
  value: Uint8Array | null;
  headers: Record<string, string>;
  timestamp: string;
}

/** One message, or several of at most `limit` value bytes each when its value is larger. */
export function splitMessage(
  message: EdgeMessageFrame,
  limit: number,
  newId: () => string,
): EdgeMessageFrame[] {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`chunk limit must be a positive integer, got ${limit}`);
  const value = message.value;
  if (value === null || value.byteLength <= limit) return [message];
  const count = Math.ceil(value.byteLength / limit);
  const id = newId();
  const chunks: EdgeMessageFrame[] = [];
  for (let index = 0; index < count; index++) {
    chunks.push({
      key: message.key,
      value: value.subarray(index * limit, Math.min(value.byteLength, (index + 1) * limit)),
      headers: { ...message.headers, [CHUNK_HEADER]: `${index}/${count}/${id}` },
      timestamp: message.timestamp,
    });
  }
  return chunks;
}

interface Partial {
  count: number;
  parts: Uint8Array[];
  bytes: number;
}

/**
 * Puts split values back together, for one ordered stream of messages (a partition). `accept`
 * answers the whole message once its last chunk is in, the message itself when it was never
 * split, and null while a value is incomplete. Throws, naming the chunk, on chunks out of order
 * or more pending bytes than `maxPendingBytes` (a writer that died mid-value cannot make the
 * reader hold memory without bound).
 */
export class Reassembler {
  private readonly partial = new Map<string, Partial>();
  private pendingBytes = 0;

  constructor(private readonly maxPendingBytes: number) {}

  /** Bytes of incomplete values held. */
  get pending(): number {
    return this.pendingBytes;
  }

  accept(message: EdgeMessageFrame): EdgeMessageFrame | null {
    const marker = message.headers[CHUNK_HEADER];
    if (marker === undefined) return message;
    const match = /^(\d+)\/(\d+)\/(.+)$/.exec(marker);
    if (!match) throw new Error(`not a Weir chunk: ${CHUNK_HEADER} '${marker}'`);
    const index = Number(match[1]);
    const count = Number(match[2]);
    const id = match[3] ?? "";
    if (count < 2 || index >= count) throw new Error(`not a Weir chunk: ${CHUNK_HEADER} '${marker}'`);
    const part = message.value ?? new Uint8Array(0);
    let partial = this.partial.get(id);
    if (!partial) {
      if (index !== 0)
        throw new Error(`chunk ${index + 1} of ${count} of value ${id} arrived without its first`);
      partial = { count, parts: [], bytes: 0 };
      this.partial.set(id, partial);
    } else if (index !== partial.parts.length || count !== partial.count) {
      throw new Error(
        `chunk ${index + 1} of ${count} of value ${id} arrived after chunk ${partial.parts.length} of ${partial.count}`,
      );
    }
    if (this.pendingBytes + part.byteLength > this.maxPendingBytes) {
      throw new Error(
        `value ${id} is still incomplete with ${this.pendingBytes + part.byteLength} bytes pending, over the limit of ${this.maxPendingBytes}`,
      );
    }
    partial.parts.push(part);
    partial.bytes += part.byteLength;
    this.pendingBytes += part.byteLength;
    if (partial.parts.length < count) return null;
    this.partial.delete(id);
    this.pendingBytes -= partial.bytes;
    const whole = new Uint8Array(partial.bytes);
    let at = 0;
    for (const piece of partial.parts) {
      whole.set(piece, at);
      at += piece.byteLength;
    }
    const headers = { ...message.headers };
    Reflect.deleteProperty(headers, CHUNK_HEADER);
    return { key: message.key, value: whole, headers, timestamp: message.timestamp };
  }
}
