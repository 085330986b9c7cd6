// Puts split values (chunk-codec.ts) back together for one ordered stream of messages: the
// reader of a Kafka partition keeps one. Pure, so its rules are unit-tested without a broker.
//
// Each message is fed with an `owner` (the reader's commit unit it came in): a whole value is
// answered with the owner of its FIRST chunk, so the reader can hold that unit's offset back
// until the value is processed and a crash mid-value reads it again from its first chunk.
import type { ChunkMarker, EdgeMessageFrame } from "./chunk-codec";
import { CHUNK_HEADER, chunkMarker } from "./chunk-codec";

export type Assembled<T> =
  /** A message to hand on: never split, or the last chunk of a value completed it. */
  | { kind: "whole"; message: EdgeMessageFrame; owner: T }
  /** A chunk kept until its value is complete; `first` when it opened the value. */
  | { kind: "held"; first: boolean }
  /**
   * The value cannot be put together (over the limit, chunks missing or out of order): its kept
   * chunks are dropped, the rest of it will be skipped. `owner` is that of its first chunk, when
   * it was held (the reader releases it); `message` carries the value's key and headers, no value.
   */
  | { kind: "failed"; message: EdgeMessageFrame; error: string; owner: T | undefined }
  /**
   * A later chunk of a value that failed before (skipped without a second report), or of a value
   * whose first chunk came before this reader started: the reader commits past a first chunk only
   * once its value was processed, so such a tail belongs to a value already done.
   */
  | { kind: "skipped" };

interface Partial<T> {
  count: number;
  parts: Uint8Array[];
  bytes: number;
  owner: T;
  /** When its last chunk so far came (the clock passed to `accept`). */
  lastAt: number;
  /** Another message came after its last chunk: its writer is not merely slow to write it. */
  passed: boolean;
}

/** A value given up on by `abandon`: its writer died mid-value (and wrote it again, at least once). */
export interface Abandoned<T> {
  id: string;
  owner: T;
  bytes: number;
  parts: number;
}

/** Failed or abandoned values remembered for their later chunks; a few suffice. */
const FAILED_REMEMBERED = 1000;

export class ValueReassembler<T> {
  private readonly partial = new Map<string, Partial<T>>();
  private readonly failed = new Set<string>();
  /** Values given up on by `abandon`: a chunk of one coming after all is refused, not skipped. */
  private readonly abandoned = new Set<string>();
  private pendingBytes = 0;
  private pendingParts = 0;

  /** `maxBytes`: the most bytes incomplete values may hold at once (this stream's buffer). */
  constructor(private readonly maxBytes: number) {}

  /** Bytes of incomplete values held. */
  get bytes(): number {
    return this.pendingBytes;
  }

  /** Chunks of incomplete values held. */
  get parts(): number {
    return this.pendingParts;
  }

  /** Whether a value is half read (its first chunk is held). */
  get inProgress(): boolean {
    return this.partial.size > 0;
  }

  accept(message: EdgeMessageFrame, owner: T, now = Date.now()): Assembled<T> {
    const out = this.put(message, owner, now);
    const own = out.kind === "held" ? chunkMarker(message.headers)?.id : undefined;
    for (const [id, partial] of this.partial) if (id !== own) partial.passed = true;
    return out;
  }

  /**
   * Gives up on incomplete values that got no chunk for `staleMs` while later messages came (a
   * writer that died mid-value: it writes the whole value again, as it never got the ack), so
   * their first chunk no longer holds the reader's commits back. A chunk of one coming after all
   * is refused as "without its first" (dead-lettered, not lost in silence).
   */
  abandon(now: number, staleMs: number): Abandoned<T>[] {
    const gone: Abandoned<T>[] = [];
    for (const [id, partial] of this.partial) {
      if (!partial.passed || now - partial.lastAt < staleMs) continue;
      this.forget(id, partial);
      remember(this.abandoned, id);
      gone.push({ id, owner: partial.owner, bytes: partial.bytes, parts: partial.parts.length });
    }
    return gone;
  }

  private put(message: EdgeMessageFrame, owner: T, now: number): Assembled<T> {
    let marker: ChunkMarker | undefined;
    try {
      marker = chunkMarker(message.headers);
    } catch (error) {
      return {
        kind: "failed",
        message: bare(message),
        error: (error as Error).message,
        owner: undefined,
      };
    }
    if (marker === undefined) return { kind: "whole", message, owner };
    const { index, count, id } = marker;
    const part = message.value ?? new Uint8Array(0);
    if (this.failed.has(id)) {
      if (index === count - 1) this.failed.delete(id);
      return { kind: "skipped" };
    }
    const partial = this.partial.get(id);
    if (!partial) {
      if (index !== 0) {
        if (!this.abandoned.has(id)) return { kind: "skipped" };
        return this.fail(
          id,
          message,
          `chunk ${index + 1} of ${count} of value ${id} arrived after the value was given up on (no chunk of it for a long while)`,
        );
      }
      // The first chunk tells the value's size within one chunk: refuse it before holding any.
      const atLeast = (count - 1) * part.byteLength + 1;
      if (count > 1 && part.byteLength > 0 && atLeast > this.maxBytes)
        return this.fail(
          id,
          message,
          this.tooLarge(id, `at least ${String(atLeast)} bytes in ${String(count)} chunks`),
        );
      if (this.pendingBytes + part.byteLength > this.maxBytes)
        return this.fail(
          id,
          message,
          this.tooLarge(id, `${String(this.pendingBytes + part.byteLength)} bytes held`),
        );
      this.partial.set(id, {
        count,
        parts: [part],
        bytes: part.byteLength,
        owner,
        lastAt: now,
        passed: false,
      });
      this.pendingBytes += part.byteLength;
      this.pendingParts++;
      return { kind: "held", first: true };
    }
    if (index !== partial.parts.length || count !== partial.count)
      return this.fail(
        id,
        message,
        `chunk ${index + 1} of ${count} of value ${id} arrived after chunk ${partial.parts.length} of ${partial.count}`,
      );
    if (this.pendingBytes + part.byteLength > this.maxBytes)
      return this.fail(
        id,
        message,
        this.tooLarge(id, `${String(this.pendingBytes + part.byteLength)} bytes held`),
      );
    partial.parts.push(part);
    partial.lastAt = now;
    partial.passed = false;
    partial.bytes += part.byteLength;
    this.pendingBytes += part.byteLength;
    this.pendingParts++;
    if (partial.parts.length < count) return { kind: "held", first: false };
    this.forget(id, partial);
    const whole = new Uint8Array(partial.bytes);
    let at = 0;
    for (const piece of partial.parts) {
      whole.set(piece, at);
      at += piece.byteLength;
    }
    const headers = { ...message.headers };
    Reflect.deleteProperty(headers, CHUNK_HEADER);
    return {
      kind: "whole",
      message: { key: message.key, value: whole, headers, timestamp: message.timestamp },
      owner: partial.owner,
    };
  }

  private tooLarge(id: string, what: string): string {
    return `value ${id} is too large to put together: ${what}, over the reassembly limit of ${String(this.maxBytes)} bytes (WEIR_KAFKA_MAX_VALUE_BYTES)`;
  }

  private fail(id: string, message: EdgeMessageFrame, error: string): Assembled<T> {
    const partial = this.partial.get(id);
    if (partial) this.forget(id, partial);
    const marker = chunkMarker(message.headers);
    // The rest of the value is skipped quietly, unless this was its last chunk.
    this.abandoned.delete(id);
    if (marker && marker.index < marker.count - 1) remember(this.failed, id);
    return { kind: "failed", message: bare(message), error, owner: partial?.owner };
  }

  private forget(id: string, partial: Partial<T>): void {
    this.partial.delete(id);
    this.pendingBytes -= partial.bytes;
    this.pendingParts -= partial.parts.length;
  }
}

/** The message without its value (a dead letter of a value that could not be put together). */
function bare(message: EdgeMessageFrame): EdgeMessageFrame {
  const headers = { ...message.headers };
  Reflect.deleteProperty(headers, CHUNK_HEADER);
  return { key: message.key, value: null, headers, timestamp: message.timestamp };
}

function remember(ids: Set<string>, id: string): void {
  ids.add(id);
  if (ids.size <= FAILED_REMEMBERED) return;
  const oldest = ids.values().next().value;
  if (oldest !== undefined) ids.delete(oldest);
}
