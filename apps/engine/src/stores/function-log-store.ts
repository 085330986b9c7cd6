import type { Db } from "@weir/db";
import type { DeploymentRef } from "../flow/services";

export const FUNCTION_LOG_KEEP = 1000;

interface Entry {
  deployment: DeploymentRef;
  nodeId: string;
  instance: string;
  level: string;
  message: string;
}

/** ctx.log output, written in batches and trimmed to the last FUNCTION_LOG_KEEP lines per node. */
export class FunctionLogStore {
  private pending: Entry[] = [];

  constructor(private readonly db: Db) {}

  add(entry: Entry): void {
    this.pending.push({ ...entry, message: entry.message.slice(0, 8192) });
    // A function logging in a tight loop must not grow memory without bound between flushes.
    if (this.pending.length > FUNCTION_LOG_KEEP * 10)
      this.pending.splice(0, this.pending.length - FUNCTION_LOG_KEEP * 10);
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    await this.db.functionLogEntry.createMany({
      data: batch.map((e) => ({
        flowId: e.deployment.flowId,
        deploymentId: e.deployment.id,
        nodeId: e.nodeId,
        instance: e.instance,
        level: e.level,
        message: e.message,
      })),
    });
    const nodes = new Map(batch.map((e) => [`${e.deployment.flowId}/${e.nodeId}`, e]));
    for (const { deployment, nodeId } of nodes.values()) {
      await this.db.$executeRaw`
        DELETE FROM function_logs
        WHERE flow_id = ${deployment.flowId}::uuid AND node_id = ${nodeId}
          AND id <= (SELECT id FROM function_logs WHERE flow_id = ${deployment.flowId}::uuid AND node_id = ${nodeId}
                     ORDER BY id DESC OFFSET ${FUNCTION_LOG_KEEP} LIMIT 1)`;
    }
  }
}
