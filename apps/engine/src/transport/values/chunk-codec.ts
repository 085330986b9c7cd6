// Values larger than a Kafka message may be split into ordered chunk messages and put back
// together by the reader. Pure (no client, no I/O), so it sits at any Kafka client's
// encode/decode boundary: the writer maps each encoded message through `splitMessage`, the
// reader passes each message through one `ValueReassembler` (value-reassembler.ts) per partition.
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

export interface ChunkMarker {
  index: number;
  count: number;
  id: string;
}

/** The chunk marker of a message, undefined when it was never split; throws on a malformed one. */
export function chunkMarker(headers: Record<string, string>): ChunkMarker | undefined {
  const marker = headers[CHUNK_HEADER];
  if (marker === undefined) return undefined;
  const match = /^(\d+)\/(\d+)\/(.+)$/.exec(marker);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 2 || index >= count) throw new Error(`not a Weir chunk: ${CHUNK_HEADER} '${marker}'`);
  return { index, count, id: match[3] ?? "" };
}
