import type { FlowNode, WeirRecord } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { SinkInstance } from "@weir/connectors";
import { DeliveryError } from "@weir/connectors";
import type { NodeInput } from "../transport/edge-transport";
import { byteValueSize } from "./byte-values";
import type { DeploymentRef, FlowServices } from "./services";

const SINK_BATCH = 100;
/**
 * Batches a sink that `overlapsBatches` holds at once (handed over, not yet stored and acked).
 * The log sink keeps only its newest `keep` records: with several batches handed over between
 * two writes, each write stores the newest of them and the older ones are done without a write.
 * (64 instead ran a generator → js → log flow no faster: 154–183k records/s either way,
 * alternating runs on one machine.)
 */
const OVERLAPPED_BATCHES = 16;
/**
 * …and no more byte values than this: a batch is held until it is acked (its records are written
 * one by one if the batch write fails), so a stream of large chunks would otherwise make the sink
 * hold 16 edges' worth of them (32 MiB).
 */
const OVERLAPPED_BYTES = 8 * 1024 * 1024;

/**
 * Writes a sink node's input in batches, dead-lettering what it cannot deliver; a batch is acked
 * once every record of it is written or dead-lettered. A sink that `overlapsBatches` (the log
 * sink's buffered store) gets the next batch while the last one is being stored, so a flow is
 * not held to one database round trip per batch; batches are still acked in the order taken.
 */
export async function runSink(
  node: FlowNode,
  sink: SinkInstance,
  inputs: NodeInput,
  deployment: DeploymentRef,
  services: FlowServices,
): Promise<void> {
  const counters = services.counters(deployment.id, node.id, "in");
  const log = services.log.child(node.id, { node: node.id });

  /** Writes a batch whose `writeBatch` (if any) is already under way as `batchWrite`; acks it. */
  const finish = async (batch: readonly WeirRecord[], batchWrite: Promise<boolean>): Promise<void> => {
    if (await batchWrite) {
      counters.recordsOut += batch.length;
      counters.completed += batch.length;
    } else {
      for (const record of batch) {
        try {
          await sink.write(record);
          counters.recordsOut++;
          counters.completed++;
        } catch (error) {
          const message = errorMessage(error);
          counters.deadLetter(message);
          const attempts = error instanceof DeliveryError ? error.attempts : 1;
          services.deadLetters.add({ deployment, nodeId: node.id, record, error: message, attempts });
        }
      }
    }
    // A failed record is done once its dead letter is stored (a log-sink record the database
    // refused is dead-lettered during the write); only then may the input move on.
    await services.deadLetters.persisted();
    await inputs.ack();
    counters.inFlight -= batch.length;
  };

  const writeBatch = async (batch: readonly WeirRecord[]): Promise<boolean> => {
    if (!sink.writeBatch) return false;
    try {
      await sink.writeBatch(batch);
      return true;
    } catch (error) {
      // Fall back to one write per record, so only the records that fail are dead-lettered.
      log.warn(`batch write failed (${errorMessage(error)}); retrying record by record`);
      return false;
    }
  };

  // Overlapped batches being finished, oldest first, with their byte values; each finishes (and
  // acks) after the one before.
  const finishing: { done: Promise<void>; bytes: number }[] = [];
  let overlappedBytes = 0;
  let last: Promise<void> = Promise.resolve();
  try {
    for (let batch = await inputs.take(SINK_BATCH); batch !== null; batch = await inputs.take(SINK_BATCH)) {
      counters.recordsIn += batch.length;
      counters.inFlight += batch.length;
      if (sink.overlapsBatches === true) {
        // Handed to the sink now (it keeps call order); finished, and acked, after the one before.
        const written = writeBatch(batch);
        const taken = batch;
        last = last.then(() => finish(taken, written));
        const bytes = taken.reduce((sum, record) => sum + byteValueSize(record), 0);
        finishing.push({ done: last, bytes });
        overlappedBytes += bytes;
        while (finishing.length >= OVERLAPPED_BATCHES || overlappedBytes > OVERLAPPED_BYTES) {
          const oldest = finishing.shift();
          if (!oldest) break;
          await oldest.done;
          overlappedBytes -= oldest.bytes;
        }
      } else {
        await finish(batch, writeBatch(batch));
      }
    }
    await last;
  } finally {
    await last.catch(() => undefined);
    await sink.close().catch((error: unknown) => {
      log.warn(`closing the sink failed: ${errorMessage(error)}`);
    });
  }
}
