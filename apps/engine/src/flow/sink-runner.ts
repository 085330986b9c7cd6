import type { FlowNode } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { SinkInstance } from "@weir/connectors";
import { DeliveryError } from "@weir/connectors";
import type { NodeInput } from "../transport/edge-transport";
import type { DeploymentRef, FlowServices } from "./services";

const SINK_BATCH = 100;

/**
 * Writes a sink node's input in batches, dead-lettering what it cannot deliver; a batch is acked
 * once every record of it is written or dead-lettered.
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
  try {
    for (let batch = await inputs.take(SINK_BATCH); batch !== null; batch = await inputs.take(SINK_BATCH)) {
      counters.recordsIn += batch.length;
      counters.inFlight += batch.length;
      if (sink.writeBatch) {
        try {
          await sink.writeBatch(batch);
          counters.recordsOut += batch.length;
          counters.completed += batch.length;
          // A log-sink record the database refused is dead-lettered during the write; ack after that.
          await services.deadLetters.persisted();
          await inputs.ack();
          counters.inFlight -= batch.length;
          continue;
        } catch (error) {
          // Fall back to one write per record, so only the records that fail are dead-lettered.
          log.warn(`batch write failed (${errorMessage(error)}); retrying record by record`);
        }
      }
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
      // A failed record is done once its dead letter is stored; only then may the input move on.
      await services.deadLetters.persisted();
      await inputs.ack();
      counters.inFlight -= batch.length;
    }
  } finally {
    await sink.close().catch((error: unknown) => {
      log.warn(`closing the sink failed: ${errorMessage(error)}`);
    });
  }
}
