import type { Db } from "@weir/db";
import type { WeirRecord } from "@weir/domain";
import type { DeploymentRef } from "../flow/services";

interface Pending {
  deployment: DeploymentRef;
  nodeId: string;
  keep: number;
  records: WeirRecord[];
}

/**
 * The records `log` sinks keep, written in batches and trimmed to each node's `keep` so the
 * table holds only the last N per node.
 */
export class RetainedStore {
  private pending = new Map<string, Pending>();

  constructor(private readonly db: Db) {}

  add(deployment: DeploymentRef, nodeId: string, records: readonly WeirRecord[], keep: number): void {
    const key = `${deployment.id}/${nodeId}`;
    const entry = this.pending.get(key) ?? { deployment, nodeId, keep, records: [] };
    entry.records.push(...records);
    // Only the newest `keep` can survive the trim, so older ones need not be written at all.
    if (entry.records.length > keep) entry.records.splice(0, entry.records.length - keep);
    this.pending.set(key, entry);
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    for (const entry of batch) {
      const { flowId } = entry.deployment;
      await this.db.$transaction([
        this.db.sinkLogEntry.createMany({
          data: entry.records.map((record) => ({
            flowId,
            deploymentId: entry.deployment.id,
            nodeId: entry.nodeId,
            record,
          })),
        }),
        this.db.$executeRaw`
          DELETE FROM sink_log_entries
          WHERE flow_id = ${flowId}::uuid AND node_id = ${entry.nodeId}
            AND id <= (SELECT id FROM sink_log_entries WHERE flow_id = ${flowId}::uuid AND node_id = ${entry.nodeId}
                       ORDER BY id DESC OFFSET ${entry.keep} LIMIT 1)`,
      ]);
    }
  }
}
