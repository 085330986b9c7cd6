import type { FlowNode, WeirRecord } from "@weir/domain";
import { DEFAULT_PORT, errorMessage } from "@weir/domain";
import type { RegisteredSource } from "@weir/connectors";
import type { NodeOutput } from "../transport/edge-transport";
import type { ConnectionResolver } from "./connections";
import type { DeploymentRef, FlowServices } from "./services";
import { yieldToEventLoop } from "./yield";
import { requestSourceCapability } from "../requests/request-routes";

/** Runs one source node until it finishes or the deployment stops, then closes its edges. */
export async function runSource(
  node: FlowNode,
  plugin: RegisteredSource,
  outputs: NodeOutput,
  deployment: DeploymentRef,
  services: FlowServices,
  signal: AbortSignal,
  connection: ConnectionResolver,
): Promise<void> {
  const counters = services.counters(deployment.id, node.id, "out");
  const log = services.log.child(node.id, { node: node.id });
  // A record the source took but could not pass on counts as in, so that for a source too
  // records in = completed + dead-lettered + in flight.
  const deadLetter = (record: WeirRecord, error: string): void => {
    counters.recordsIn++;
    counters.deadLetter(error);
    services.deadLetters.add({ deployment, nodeId: node.id, record, error, attempts: 1 });
  };
  try {
    await plugin.run(node.config, {
      flowId: deployment.flowId,
      nodeId: node.id,
      signal,
      log,
      connection,
      ...(services.kafkaClient ? { kafkaClient: services.kafkaClient } : {}),
      emit: async (records) => {
        let sending = records;
        try {
          await outputs.sendToPort(DEFAULT_PORT, sending);
        } catch (error) {
          // A record no transport can encode (JSON.stringify overflows on a value nested tens of
          // thousands deep) failed the whole send before anything left: it is dead-lettered with
          // the reason and the rest are sent, instead of failing the source on every restart.
          const unencodable = records.filter((record) => encodeProblem(record) !== null);
          if (unencodable.length === 0) throw error;
          for (const record of unencodable) {
            deadLetter(
              record,
              `the record cannot be encoded for the next node: ${String(encodeProblem(record))}`,
            );
          }
          await services.deadLetters.persisted();
          sending = records.filter((record) => !unencodable.includes(record));
          await outputs.sendToPort(DEFAULT_PORT, sending);
        }
        counters.recordsOut += sending.length;
        await yieldToEventLoop();
      },
      checkpoint: {
        load: () => services.checkpoints.load(deployment.flowId, node.id),
        save: (position) => services.checkpoints.save(deployment.flowId, node.id, position),
      },
      serveIngest: (handler, options) => {
        services.ingest.register(deployment.flowId, node.id, handler, options);
      },
      deadLetter: (record, error) => {
        deadLetter(record, error);
        // The source may move past the record (commit its offset) once this resolves.
        return services.deadLetters.persisted();
      },
      ...requestSourceCapability(services.requests, deployment.flowId, node.id),
    });
  } catch (error) {
    counters.error(errorMessage(error));
    log.error(`source failed: ${errorMessage(error)}`);
  } finally {
    services.ingest.unregister(deployment.flowId, node.id);
    outputs.close();
  }
}

/** Why a record's value cannot be written as JSON text, or null when it can. */
function encodeProblem(record: { value: unknown }): string | null {
  try {
    JSON.stringify(record.value);
    return null;
  } catch (error) {
    return errorMessage(error);
  }
}
