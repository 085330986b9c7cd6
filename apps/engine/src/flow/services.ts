import type { FunctionRuntime, JsonValue, WeirRecord } from "@weir/domain";
import type { IngestHandler } from "@weir/connectors";
import type { Logger } from "../logger";
import type { NodeCounters } from "../stats";

export interface DeploymentRef {
  id: string;
  flowId: string;
  flowVersionId: string;
  version: number;
}

export interface DeadLetterEntry {
  deployment: DeploymentRef;
  nodeId: string;
  record: WeirRecord;
  error: string;
  attempts: number;
}

/** What a running flow needs from the engine around it; tests can provide their own. */
export interface FlowServices {
  log: Logger;
  runtimes: ReadonlyMap<string, FunctionRuntime>;
  counters(deploymentId: string, nodeId: string, rateCounts: "in" | "out"): NodeCounters;
  deadLetters: { add(entry: DeadLetterEntry): void };
  retained: {
    add(deployment: DeploymentRef, nodeId: string, records: readonly WeirRecord[], keep: number): void;
  };
  checkpoints: {
    load(flowId: string, nodeId: string): Promise<JsonValue | null>;
    save(flowId: string, nodeId: string, position: JsonValue): Promise<void>;
  };
  ingest: {
    register(flowId: string, nodeId: string, handler: IngestHandler, options: { maxBodyBytes: number }): void;
    unregister(flowId: string, nodeId: string): void;
  };
}
