import type { Db } from "@weir/db";
import { storableText } from "@weir/db";
import { errorMessage } from "@weir/domain";
import type { DeploymentRef } from "../flow/services";
import { databaseReachable } from "./reachable";
import type { Logger } from "../logger";

export const FUNCTION_LOG_KEEP = 1000;

interface Entry {
  deployment: DeploymentRef;
  nodeId: string;
  instance: string;
  level: string;
  message: string;
  /** The sampled trace of the record that was processed when the line was written. */
  traceId?: string | undefined;
}

/**
 * ctx.log output, written in batches and trimmed to the last FUNCTION_LOG_KEEP lines per node.
 * Lines are human text: a NUL or lone surrogate is written visibly as `\u0000` (`storableText`).
 * A failed batch is written line by line; a line that still fails while others go through is
 * dropped, counted in `dropped` and logged with the reason; if none goes through (the database is
 * away) they wait for the next flush.
 */
export class FunctionLogStore {
  private pending: Entry[] = [];
  /** Lines the database refused on their own and that were dropped, since the store was made. */
  dropped = 0;

  constructor(
    private readonly db: Db,
    private readonly log?: Logger,
  ) {}

  add(entry: Entry): void {
    this.pending.push({ ...entry, message: storableText(entry.message.slice(0, 8192)) });
    // A function logging in a tight loop must not grow memory without bound between flushes.
    if (this.pending.length > FUNCTION_LOG_KEEP * 10)
      this.pending.splice(0, this.pending.length - FUNCTION_LOG_KEEP * 10);
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      await this.write(batch);
    } catch (error) {
      // The database away: line by line would only fail once per line; try again at the next flush.
      if (!(await databaseReachable(this.db))) {
        this.pending = [...batch, ...this.pending].slice(-FUNCTION_LOG_KEEP * 10);
        throw error;
      }
      const failed: { entry: Entry; error: unknown }[] = [];
      for (const entry of batch) {
        await this.write([entry]).catch((single: unknown) => failed.push({ entry, error: single }));
      }
      for (const { entry, error: single } of failed) {
        this.dropped++;
        this.log?.warn(
          `dropped a function log line of node '${entry.nodeId}' the database refused: ${errorMessage(single)}`,
        );
      }
    }
    await this.trim(batch);
  }

  /**
   * Trims every node of the batch to its last FUNCTION_LOG_KEEP lines in one statement (a
   * statement per node was a round trip per logging flow at every flush); each node's cutoff is
   * found once by the (flow, node, id) index, as in RetainedStore.writeAll.
   */
  private async trim(batch: readonly Entry[]): Promise<void> {
    const nodes = new Map(batch.map((e) => [`${e.deployment.flowId}/${e.nodeId}`, e]));
    const flowIds = [...nodes.values()].map((e) => e.deployment.flowId);
    const nodeIds = [...nodes.values()].map((e) => storableText(e.nodeId));
    await this.db.$executeRaw`
      DELETE FROM function_logs AS line
      USING unnest(${flowIds}::uuid[], ${nodeIds}::text[]) AS node(flow_id, node_id)
      CROSS JOIN LATERAL (SELECT id FROM function_logs
                          WHERE flow_id = node.flow_id AND node_id = node.node_id
                          ORDER BY id DESC OFFSET ${FUNCTION_LOG_KEEP} LIMIT 1) AS cutoff
      CROSS JOIN LATERAL (SELECT id FROM function_logs
                          WHERE flow_id = node.flow_id AND node_id = node.node_id AND id <= cutoff.id
                          OFFSET 0) AS old
      WHERE line.id = old.id`;
  }

  private async write(batch: readonly Entry[]): Promise<void> {
    await this.db.functionLogEntry.createMany({
      data: batch.map((e) => ({
        flowId: e.deployment.flowId,
        deploymentId: e.deployment.id,
        nodeId: storableText(e.nodeId),
        instance: storableText(e.instance),
        level: e.level,
        message: e.message,
        traceId: e.traceId ?? null,
      })),
    });
  }
}
