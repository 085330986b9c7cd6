import type {
  FlowNode,
  FunctionFailure,
  FunctionInstance,
  PortRecord,
  RecordOutcome,
  WeirRecord,
} from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { NodeCounters } from "../stats";
import type { NodeInput, NodeOutput } from "../transport/edge-transport";
import type { DeploymentRef, FlowServices, NodeState } from "./services";
import { carryHeaders } from "./carried-headers";

export interface FunctionNodeHandle {
  instance: FunctionInstance;
  /** Makes a fresh instance after one failed as a whole (a crash, not a record's error). */
  recreate(): Promise<FunctionInstance>;
  state: NodeState;
}

export interface RetryPolicy {
  maxAttempts: number;
  backoffMs: number;
}

/**
 * Feeds a function node's input in batches through its runtime instance. A record whose call
 * fails is retried on its own with exponential backoff, up to `maxAttempts` tries, and then goes
 * to the dead-letter store; outputs leave in input order, after the batch's state is durable, in
 * one send per batch; the batch is acked once the transport holds them, while the next batch is
 * already being processed. Returns when the input ends.
 */
export async function runFunction(
  node: FlowNode,
  batchSize: number,
  retry: RetryPolicy,
  handle: FunctionNodeHandle,
  inputs: NodeInput,
  outputs: NodeOutput,
  deployment: DeploymentRef,
  services: FlowServices,
  stop: AbortSignal,
): Promise<void> {
  const counters = services.counters(deployment.id, node.id, "in");
  const log = services.log.child(node.id, { node: node.id });

  const processBatch = async (batch: readonly WeirRecord[]): Promise<RecordOutcome[]> => {
    const started = performance.now();
    try {
      const outcomes = await handle.instance.process(batch);
      services.metrics?.batch(deployment.id, node.id, (performance.now() - started) / 1000);
      // The runtime recreated its sandbox for a record past its time or memory limit.
      const resets = outcomes.filter((outcome) => !outcome.ok && outcome.error.instanceReset === true).length;
      if (resets > 0) services.metrics?.sandboxRestarts(deployment.id, node.id, resets);
      return outcomes;
    } catch (error) {
      const message = `function instance failed: ${errorMessage(error)}`;
      log.error(message);
      services.metrics?.sandboxRestarts(deployment.id, node.id, 1);
      // A call can also fail on the host's side of the sandbox (a value too deep to serialise)
      // with the sandbox still alive: it is ended here, or each such record would leak one.
      const failed = handle.instance;
      handle.instance = await handle.recreate();
      failed.close().catch((closeError: unknown) => {
        log.warn(`closing the failed function instance failed: ${errorMessage(closeError)}`);
      });
      if (batch.length === 1) return [{ ok: false, error: { message, instanceReset: true } }];
      // One record can bring the instance down for its whole batch (a value nested too deep for
      // the runtime, say): each record runs again on its own, so only the culprit fails, even
      // with maxAttempts 1. That first run alone counts as the record's first attempt.
      const outcomes: RecordOutcome[] = [];
      for (const record of batch) outcomes.push(...(await processBatch([record])));
      return outcomes;
    }
  };

  // One batch's outputs are delivered (and its input acked) while the next batch is processed:
  // the sandbox and the transport's round trip (a Kafka produce with acks=all) overlap.
  // Deliveries stay one at a time and in order, so outputs keep their input order.
  let delivering: Promise<void> = Promise.resolve();
  try {
    for (let batch = await inputs.take(batchSize); batch !== null; batch = await inputs.take(batchSize)) {
      counters.recordsIn += batch.length;
      counters.inFlight += batch.length;
      const outcomes = await processBatch(batch);
      const sent: PortRecord[][] = [];
      const sentFrom: WeirRecord[] = [];
      for (const [index, record] of batch.entries()) {
        let outcome = outcomes[index] ?? { ok: false, error: { message: "the runtime returned no outcome" } };
        let attempts = 1;
        while (!outcome.ok && attempts < retry.maxAttempts && !stop.aborted) {
          counters.noteError(describe(outcome.error));
          await sleep(retry.backoffMs * 2 ** (attempts - 1), stop);
          attempts++;
          outcome = (await processBatch([record]))[0] ?? outcome;
        }
        if (outcome.ok) {
          sent.push(carryHeaders(record, outcome.outputs));
          sentFrom.push(record);
        } else {
          fail(counters, services, deployment, node.id, record, outcome.error, attempts);
        }
      }
      await handle.state.flush();
      const previous = delivering;
      const size = batch.length;
      delivering = (async () => {
        await previous;
        const all = sent.flat();
        try {
          await outputs.send(all);
          counters.recordsOut += all.length;
          counters.completed += sentFrom.length;
        } catch (error) {
          // The transport refused the outputs for good (e.g. a record larger than Kafka takes):
          // the inputs that made them are dead-lettered with the reason, and the stream goes on.
          if (stop.aborted) throw error;
          const message = `sending its outputs failed: ${errorMessage(error)}`;
          for (const record of sentFrom)
            fail(counters, services, deployment, node.id, record, { message }, 1);
        }
        // A failed record is done once its dead letter is stored; only then may the input move on.
        await services.deadLetters.persisted();
        await inputs.ack();
        counters.inFlight -= size;
      })();
      await previous;
    }
    await delivering;
  } finally {
    // Settled before the instance closes; an error it carries was thrown above already.
    await delivering.catch(() => undefined);
    outputs.close();
    await handle.state.flush().catch((error: unknown) => {
      log.error(`saving function state failed: ${errorMessage(error)}`);
    });
    await handle.instance.close().catch((error: unknown) => {
      log.warn(`closing the function instance failed: ${errorMessage(error)}`);
    });
  }
}

function describe(error: FunctionFailure): string {
  return error.line === undefined ? error.message : `${error.message} (line ${error.line})`;
}

function fail(
  counters: NodeCounters,
  services: FlowServices,
  deployment: DeploymentRef,
  nodeId: string,
  record: WeirRecord,
  error: FunctionFailure,
  attempts: number,
): void {
  const message = describe(error);
  counters.deadLetter(message);
  services.deadLetters.add({ deployment, nodeId, record, error: message, attempts });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) {
      resolve();
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
