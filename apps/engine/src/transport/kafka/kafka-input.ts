import type { KafkaMessage } from "kafkajs";
import type { WeirRecord } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { Logger } from "../../logger";
import type { NodeInput } from "../edge-transport";
import {
  KafkaReader,
  READER_CHUNK,
  READER_MAX_UNCOMMITTED,
  READER_MAX_UNCOMMITTED_BYTES,
} from "@weir/connectors";
import type { Hold, ReaderItem, UnitAt } from "@weir/connectors";
import type { EdgeClient } from "./edge-client";
import { ValueReassembler } from "../values/value-reassembler";
import type { EdgeMessageFrame } from "../values/chunk-codec";
import { VALUE_KIND_HEADER } from "../values/value-codec";
import { decodeFrame, decodeRecord, frameOf, takeTimestamp } from "./record-codec";

/** Messages handed on at a time: the reader's commit unit (the connectors' kafka-reader/). */
export const CHUNK = READER_CHUNK;
/**
 * The fetch-ahead window of one member (the reader's): at most this many records per member come
 * twice when it dies or rejoins its group, so it bounds at-least-once duplicates (kafka-faults tests).
 */
export const MAX_UNCOMMITTED = READER_MAX_UNCOMMITTED;
/**
 * The same window in value bytes, so large records (a split value is up to WEIR_KAFKA_CHUNK_BYTES
 * per message) cannot fill memory: chunks of values still incomplete do not count against either
 * bound (the partition's reassembly limit bounds them, and a value must be able to complete).
 */
export const MAX_UNCOMMITTED_BYTES = READER_MAX_UNCOMMITTED_BYTES;
/** WEIR_KAFKA_MAX_VALUE_BYTES unless set: the bytes of split values one partition's reader may hold. */
export const DEFAULT_MAX_VALUE_BYTES = 64 * 1024 * 1024;
/**
 * A split value that got no chunk for this long while later messages came on its partition is
 * given up (its writer died mid-value and writes it whole again), so it stops holding commits back.
 */
export const ABANDON_VALUE_MS = 60_000;

export type Decoded = { ok: true; record: WeirRecord } | { ok: false; record: WeirRecord; error: string };

export interface KafkaInputOptions {
  groupId: string;
  topics: readonly string[];
  /** Where a group without committed offsets starts. */
  fromBeginning: boolean;
  /** Message → record; edge topics by default, a Kafka source's own mapping when reading its topics. */
  decode?: (message: KafkaMessage, where: { topic: string; partition: number }) => Decoded;
  /**
   * Before `decode` sees a chunk (a Kafka source with valueFormat "registry" fetches the schemas
   * it names). A failure is retried, the chunk waiting: nothing is dead-lettered for it.
   */
  prepare?: (messages: readonly KafkaMessage[]) => Promise<void>;
  /**
   * Edge topics: split values (values/chunk-codec.ts) are put back together before decoding, each
   * partition holding at most this many bytes of incomplete values (beyond: dead-lettered).
   */
  maxValueBytes?: number;
  /** Called with the number of records handed on (a Kafka source's stats when reading its topics). */
  handedOn?: (count: number) => void;
  sessionTimeoutMs: number;
  /** Partitions whose batches are handed on at the same time. */
  concurrency: number;
  /** Where this instance reports its lag, by `topic/partition`. */
  lag: Map<string, number>;
  /**
   * A message that is not a record (someone else wrote to the topic): dead-lettered, then
   * skipped; resolves once the dead letter is stored.
   */
  undecodable(record: WeirRecord, error: string): Promise<void>;
  log: Logger;
}

/**
 * One member of a node's consumer group: the connectors' KafkaReader (fetch-ahead within
 * MAX_UNCOMMITTED, a unit's offset committed only once every record of it and of the units before
 * it was acked, rejoins) with the transport's layer on top: edge records decoded, split values
 * put back together (a value holds the unit of its first chunk until it is acked, so no commit
 * passes a value's first chunk before the whole value is done), undecodable messages
 * dead-lettered. A crash replays from the last committed unit: at least once, in order per
 * partition; at most MAX_UNCOMMITTED records per member per lost member or rejoin come twice.
 */
export class KafkaNodeInput implements NodeInput {
  private readonly reader: KafkaReader<WeirRecord>;
  /** Per partition, split values being put back together (edge topics only). */
  private readonly reassemblers = new Map<string, ValueReassembler<HeldValue>>();

  constructor(
    client: EdgeClient,
    private readonly options: KafkaInputOptions,
  ) {
    this.reader = new KafkaReader<WeirRecord>(
      client,
      {
        groupId: options.groupId,
        topics: options.topics,
        fromBeginning: options.fromBeginning,
        sessionTimeoutMs: options.sessionTimeoutMs,
        concurrency: options.concurrency,
        chunk: CHUNK,
        window: { messages: MAX_UNCOMMITTED, bytes: MAX_UNCOMMITTED_BYTES },
        lag: options.lag,
        ...(options.handedOn ? { handedOn: options.handedOn } : {}),
        log: options.log,
      },
      {
        ...(options.prepare ? { prepare: options.prepare } : {}),
        admit: (messages, at, hold) => this.admit(messages, at, hold),
        // Chunks of values still incomplete do not count against the window (the partition's
        // reassembly limit bounds them, and a value must be able to complete).
        exempt: () => {
          let messages = 0;
          let bytes = 0;
          for (const reassembler of this.reassemblers.values()) {
            messages += reassembler.parts;
            bytes += reassembler.bytes;
          }
          return { messages, bytes };
        },
        // Values half read are read again from their first chunk.
        rejoined: () => {
          this.reassemblers.clear();
        },
      },
    );
  }

  start(): Promise<void> {
    return this.reader.start();
  }

  take(max: number): Promise<WeirRecord[] | null> {
    return this.reader.take(max);
  }

  ack(): Promise<void> {
    this.reader.ack();
    return Promise.resolve();
  }

  /** Ends `take`; what is buffered or unacked stays uncommitted and is consumed again later. */
  stop(): void {
    this.reader.stop();
  }

  /** Stops, sends the last commits, and leaves the group. */
  close(): Promise<void> {
    return this.reader.close();
  }

  /** One unit's messages → records; resolves once its undecodable ones are dead-lettered. */
  private async admit(
    messages: readonly KafkaMessage[],
    at: UnitAt,
    hold: () => Hold,
  ): Promise<ReaderItem<WeirRecord>[]> {
    const { where } = at;
    const records: ReaderItem<WeirRecord>[] = [];
    const deadLettered: Promise<void>[] = [];
    /** Holds of values that failed: released once their dead letters are stored. */
    const released: Hold[] = [];
    const reassembler = this.reassemblerOf(where);
    for (const message of messages) {
      if (!reassembler) {
        const decoded = this.decode(message, at);
        if (decoded.ok) records.push({ value: decoded.record, hold: hold() });
        else deadLettered.push(this.options.undecodable(decoded.record, decoded.error));
        continue;
      }
      const frame = frameOf(message);
      // The hold of a value's first chunk is taken when the reassembler keeps that chunk.
      const slot: HeldValue = {};
      const out = reassembler.accept(frame, slot);
      const place = `${where}@${message.offset}`;
      if (out.kind === "held") {
        if (out.first) slot.hold = hold();
      } else if (out.kind === "failed") {
        deadLettered.push(this.options.undecodable(unassembled(out.message), `${place}: ${out.error}`));
        if (out.owner?.hold) released.push(out.owner.hold);
      } else if (out.kind === "whole") {
        if (out.message === frame) {
          const decoded = this.decode(message, at, frame);
          if (decoded.ok) records.push({ value: decoded.record, hold: hold() });
          else deadLettered.push(this.options.undecodable(decoded.record, decoded.error));
          continue;
        }
        const owner = out.owner.hold;
        if (!owner)
          throw new Error(`${place}: a value put back together without the hold of its first chunk`);
        // A value put back together is its first chunk's record: it acks that chunk's hold.
        try {
          records.push({ value: decodeFrame(out.message), hold: owner });
        } catch (error) {
          deadLettered.push(
            this.options.undecodable(unassembled(out.message), `${place}: ${errorMessage(error)}`),
          );
          released.push(owner);
        }
      }
    }
    for (const gone of reassembler?.abandon(Date.now(), ABANDON_VALUE_MS) ?? []) {
      if (gone.owner.hold) released.push(gone.owner.hold);
      this.options.log.warn(
        `gave up on split value ${gone.id} on ${where} after ${String(gone.parts)} chunks (${String(gone.bytes)} bytes): ` +
          `nothing more of it for ${String(ABANDON_VALUE_MS / 1000)} s while later messages came (its writer stopped mid-value and writes it again)`,
      );
    }
    // The unit may be committed once its records are acked, and its undecodable ones stored.
    await Promise.all(deadLettered);
    for (const gone of released) this.reader.release(gone);
    return records;
  }

  /** The partition's reassembler, when this input reads edge topics (made on first use). */
  private reassemblerOf(where: string): ValueReassembler<HeldValue> | undefined {
    const max = this.options.maxValueBytes;
    if (max === undefined) return undefined;
    let reassembler = this.reassemblers.get(where);
    if (!reassembler) {
      reassembler = new ValueReassembler<HeldValue>(max);
      this.reassemblers.set(where, reassembler);
    }
    return reassembler;
  }

  private decode(
    message: KafkaMessage,
    where: { topic: string; partition: number },
    frame?: EdgeMessageFrame,
  ): Decoded {
    if (this.options.decode) return this.options.decode(message, where);
    try {
      return { ok: true, record: frame ? decodeFrame(frame) : decodeRecord(message) };
    } catch (error) {
      return {
        ok: false,
        record: {
          key: message.key?.toString("utf8") ?? null,
          value: message.value?.toString("utf8") ?? null,
          headers: {},
          timestamp: Date.now(),
        },
        error: `${where.topic}/${String(where.partition)}@${message.offset}: ${errorMessage(error)}`,
      };
    }
  }
}

/** A message fed to a reassembler: the hold on its unit, once it is kept as a value's first chunk. */
interface HeldValue {
  hold?: Hold;
}

/** The dead letter of a value that could not be put together or decoded: its key and headers. */
function unassembled(frame: EdgeMessageFrame): WeirRecord {
  const headers = { ...frame.headers };
  Reflect.deleteProperty(headers, VALUE_KIND_HEADER);
  return { key: frame.key, value: null, headers, timestamp: takeTimestamp(frame, headers) };
}
