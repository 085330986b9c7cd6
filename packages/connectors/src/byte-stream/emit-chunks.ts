import type { WeirRecord } from "@weir/domain";
import type { ByteBody } from "./byte-body";
import { rechunk } from "./rechunk";

/** The header of a byte chunk record: where in its stream the chunk starts, in bytes. */
export const STREAM_OFFSET_HEADER = "weir-stream-offset";

/**
 * Emits a byte body as an ordered stream of chunk records of `chunkBytes` each (the last one
 * shorter), keyed by the stream's id so that a partitioned edge keeps their order, one at a
 * time: the next chunk is read only once the flow has taken the last. Resolves with how many.
 */
export async function emitChunks(
  body: ByteBody,
  chunkBytes: number,
  streamId: string,
  headers: Readonly<Record<string, string>>,
  emit: (records: readonly WeirRecord[]) => Promise<void>,
): Promise<number> {
  let offset = 0;
  let chunks = 0;
  for await (const chunk of rechunk(body.chunks, chunkBytes)) {
    const chunkHeaders = { ...headers, [STREAM_OFFSET_HEADER]: String(offset) };
    offset += chunk.byteLength;
    chunks++;
    await emit([{ key: streamId, value: chunk, headers: chunkHeaders, timestamp: Date.now() }]);
  }
  return chunks;
}
