import type { WeirRecord } from "@weir/domain";
import { bytesJson, isBytes, toByteJson } from "@weir/domain";
import { RingBuffer } from "./ring-buffer";

/** One record as a watcher sees it: its value as JSON text, secrets redacted, cut to a bounded size. */
export interface PeekSample {
  /** When it crossed the edge (engine clock, ms since the epoch). */
  at: number;
  key: string | null;
  /** The record's own timestamp. */
  timestamp: number;
  /**
   * JSON text of the value, redacted, at most `maxValueChars` long. A byte value is its JSON form
   * `{ "$bytes": "<base64>", "length": n }` holding only its first bytes (never cut mid-text;
   * `length` is the whole size).
   */
  value: string;
  /** The value's JSON was longer and has been cut (bytes: only the first ones are kept). */
  truncated: boolean;
}

export interface TapOptions {
  capacity: number;
  maxValueChars: number;
  /** Replaces secret values in a text (the flow's function secrets); identity when there are none. */
  redact: (text: string) => string;
}

/** Seconds the rate is averaged over. */
export const RATE_WINDOW_S = 5;
const SLOTS = RATE_WINDOW_S + 1;

/**
 * What one watched edge keeps on one engine: the last records that crossed it, how many crossed
 * since sampling started, and a per-second count for the rate. Exists only while watched.
 */
export class EdgeTap {
  private readonly ring: RingBuffer<PeekSample>;
  private readonly slotSecond = new Float64Array(SLOTS).fill(-1);
  private readonly slotCount = new Float64Array(SLOTS);
  total = 0;

  constructor(
    private readonly options: TapOptions,
    readonly since: number,
  ) {
    this.ring = new RingBuffer(options.capacity);
  }

  /** Counts every record and keeps the last `capacity` of them (only those are serialised). */
  record(records: readonly WeirRecord[], now: number): void {
    const n = records.length;
    if (n === 0) return;
    this.total += n;
    const second = Math.floor(now / 1000);
    const slot = second % SLOTS;
    if (this.slotSecond[slot] !== second) {
      this.slotSecond[slot] = second;
      this.slotCount[slot] = 0;
    }
    this.slotCount[slot] = (this.slotCount[slot] ?? 0) + n;
    for (let i = Math.max(0, n - this.options.capacity); i < n; i++) {
      const record = records[i];
      if (record) this.ring.push(this.sample(record, now));
    }
  }

  samples(): PeekSample[] {
    return this.ring.newestFirst();
  }

  /**
   * Records per second over the last RATE_WINDOW_S seconds (or since sampling started, if
   * later); null for the first 200 ms, when no rate means anything yet.
   */
  perSec(now: number): number | null {
    const second = Math.floor(now / 1000);
    const from = second - (RATE_WINDOW_S - 1);
    let sum = 0;
    for (let i = 0; i < SLOTS; i++) {
      const s = this.slotSecond[i] ?? -1;
      if (s >= from && s <= second) sum += this.slotCount[i] ?? 0;
    }
    const spanMs = now - Math.max(this.since, from * 1000);
    if (spanMs < 200) return null;
    return sum / (spanMs / 1000);
  }

  private sample(record: WeirRecord, now: number): PeekSample {
    const key = record.key === null ? null : this.options.redact(record.key);
    if (isBytes(record.value))
      return { at: now, key, timestamp: record.timestamp, ...this.bytesSample(record.value) };
    // Redacted before it is cut, so a secret split by the cut cannot show half of itself.
    const text = this.options.redact(JSON.stringify(toByteJson(record.value)));
    const truncated = text.length > this.options.maxValueChars;
    return {
      at: now,
      key,
      timestamp: record.timestamp,
      value: truncated ? text.slice(0, this.options.maxValueChars) : text,
      truncated,
    };
  }

  /**
   * The first bytes of a byte value, as many as fit `maxValueChars` in base64. Bytes that are
   * text are redacted as text (a secret in an upload is not shown), then kept as bytes again.
   */
  private bytesSample(bytes: Uint8Array): { value: string; truncated: boolean } {
    const keep = Math.max(1, Math.floor(((this.options.maxValueChars - 40) * 3) / 4));
    let head = bytes.subarray(0, Math.min(bytes.length, keep + 16));
    const text = new TextDecoder().decode(head);
    const redacted = this.options.redact(text);
    if (redacted !== text) head = new TextEncoder().encode(redacted);
    head = head.subarray(0, Math.min(head.length, keep));
    const shown = bytesJson(head);
    return {
      value: JSON.stringify({ $bytes: shown.$bytes, length: bytes.length }),
      truncated: head.length < bytes.length || redacted !== text,
    };
  }
}
