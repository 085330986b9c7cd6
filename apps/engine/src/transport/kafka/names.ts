// Topic and group names of the Kafka transport. The flow id and version are in every name, so
// two flows, or two versions of one flow, never share a topic or a consumer group.
import type { DeploymentRef } from "../../flow/services";

const PREFIX = "weir.";
const FLOW_TOPIC = /^weir\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.v\d+\./;

type Ref = Pick<DeploymentRef, "flowId" | "version">;

export function edgeTopic(deployment: Ref, edgeId: string): string {
  return `${PREFIX}${deployment.flowId}.v${String(deployment.version)}.${edgeId}`;
}

export function nodeGroup(deployment: Ref, nodeId: string): string {
  return `${PREFIX}${deployment.flowId}.v${String(deployment.version)}.${nodeId}`;
}

/** The flow a transport topic or group belongs to; null for any other name (a user's topic). */
export function flowIdOf(name: string): string | null {
  return FLOW_TOPIC.exec(name)?.[1] ?? null;
}
