import type { FlowNode, FunctionInstance, RecordOutcome, WeirRecord } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { NodeInputs } from "./inputs";
import type { NodeOutputs } from "./outputs";
import type { DeploymentRef, FlowServices } from "./services";

export interface FunctionNodeHandle {
  instance: FunctionInstance;
  /** Makes a fresh instance after one failed as a whole (a crash, not a record's error). */
  recreate(): Promise<FunctionInstance>;
}

/**
 * Feeds a function node's input in batches through its runtime instance, sends each record's
 * outputs on in input order, and dead-letters records whose call failed. Returns when every
 * input edge is closed and empty.
 */
export async function runFunction(
  node: FlowNode,
  batchSize: number,
  handle: FunctionNodeHandle,
  inputs: NodeInputs<WeirRecord>,
  outputs: NodeOutputs,
  deployment: DeploymentRef,
  services: FlowServices,
): Promise<void> {
  const counters = services.counters(deployment.id, node.id, "in");
  const log = services.log.child(node.id);
  try {
    for (let batch = await inputs.take(batchSize); batch !== null; batch = await inputs.take(batchSize)) {
      counters.recordsIn += batch.length;
      let outcomes: RecordOutcome[];
      try {
        outcomes = await handle.instance.process(batch);
      } catch (error) {
        const message = `function instance failed: ${errorMessage(error)}`;
        log.error(message);
        outcomes = batch.map(() => ({ ok: false, error: { message } }));
        handle.instance = await handle.recreate();
      }
      for (const [index, outcome] of outcomes.entries()) {
        const record = batch[index];
        if (!record) continue;
        if (outcome.ok) {
          await outputs.send(outcome.outputs);
          counters.recordsOut += outcome.outputs.length;
        } else {
          const where = outcome.error.line === undefined ? "" : ` (line ${outcome.error.line})`;
          const message = `${outcome.error.message}${where}`;
          counters.error(message);
          services.deadLetters.add({ deployment, nodeId: node.id, record, error: message, attempts: 1 });
        }
      }
    }
  } finally {
    outputs.close();
    await handle.instance.close().catch((error: unknown) => {
      log.warn(`closing the function instance failed: ${errorMessage(error)}`);
    });
  }
}
