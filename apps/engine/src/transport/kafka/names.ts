// Topic and group names of the Kafka transport. The flow id and version are in every name, so
// two flows, or two versions of one flow, never share a topic or a consumer group.
import type { DeploymentRef } from "../../flow/services";

const PREFIX = "weir.";

type Ref = Pick<DeploymentRef, "flowId" | "version">;

export function edgeTopic(deployment: Ref, edgeId: string): string {
  return `${PREFIX}${deployment.flowId}.v${String(deployment.version)}.${edgeId}`;
}

export function nodeGroup(deployment: Ref, nodeId: string): string {
  return `${PREFIX}${deployment.flowId}.v${String(deployment.version)}.${nodeId}`;
}

/** An exactly-once function node's state changelog (compacted; see state-changelog.ts). */
export function stateTopic(deployment: Ref, nodeId: string): string {
  return `${nodeGroup(deployment, nodeId)}.state`;
}
