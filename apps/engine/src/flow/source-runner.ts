import type { FlowNode } from "@weir/domain";
import { DEFAULT_PORT, errorMessage } from "@weir/domain";
import type { RegisteredSource } from "@weir/connectors";
import type { NodeOutput } from "../transport/edge-transport";
import type { ConnectionResolver } from "./connections";
import type { DeploymentRef, FlowServices } from "./services";
import { yieldToEventLoop } from "./yield";

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
  const log = services.log.child(node.id);
  try {
    await plugin.run(node.config, {
      flowId: deployment.flowId,
      nodeId: node.id,
      signal,
      log,
      connection,
      emit: async (records) => {
        await outputs.sendToPort(DEFAULT_PORT, records);
        counters.recordsOut += records.length;
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
        counters.deadLetter(error);
        services.deadLetters.add({ deployment, nodeId: node.id, record, error, attempts: 1 });
        // The source may move past the record (commit its offset) once this resolves.
        return services.deadLetters.persisted();
      },
    });
  } catch (error) {
    counters.error(errorMessage(error));
    log.error(`source failed: ${errorMessage(error)}`);
  } finally {
    services.ingest.unregister(deployment.flowId, node.id);
    outputs.close();
  }
}
