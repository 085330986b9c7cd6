import type { Db } from "@weir/db";
import { storableText } from "@weir/db";
import { errorMessage } from "@weir/domain";
import type { DeploymentRef } from "../flow/services";
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
      const failed: { entry: Entry; error: unknown }[] = [];
      for (const entry of batch) {
        await this.write([entry]).catch((single: unknown) => failed.push({ entry, error: single }));
      }
      if (failed.length === batch.length) {
        // Nothing went through: most likely the database is away; try again at the next flush.
        this.pending = [...batch, ...this.pending].slice(-FUNCTION_LOG_KEEP * 10);
        throw error;
      }
      for (const { entry, error: single } of failed) {
        this.dropped++;
        this.log?.warn(
          `dropped a function log line of node '${entry.nodeId}' the database refused: ${errorMessage(single)}`,
        );
      }
    }
    const nodes = new Map(batch.map((e) => [`${e.deployment.flowId}/${e.nodeId}`, e]));
    for (const { deployment, nodeId } of nodes.values()) {
      await this.db.$executeRaw`
        DELETE FROM function_logs
        WHERE flow_id = ${deployment.flowId}::uuid AND node_id = ${nodeId}
          AND id <= (SELECT id FROM function_logs WHERE flow_id = ${deployment.flowId}::uuid AND node_id = ${nodeId}
                     ORDER BY id DESC OFFSET ${FUNCTION_LOG_KEEP} LIMIT 1)`;
    }
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
