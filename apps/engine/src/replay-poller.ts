import type { Db } from "@weir/db";
import { fromStorableJson } from "@weir/db";
import type { WeirRecord } from "@weir/domain";
import { errorMessage, weirRecordSchema } from "@weir/domain";
import type { FlowRunner } from "./flow/flow-runner";
import type { Logger } from "./logger";

interface ReplayRow {
  id: bigint;
  flowId: string;
  nodeId: string;
  record: unknown;
}

/**
 * Feeds dead letters whose replay the API requested back into the node they failed in, on the
 * engine that runs their flow. A row is marked replayed once its record is queued in the node;
 * if it fails again it becomes a new dead letter.
 */
export class ReplayPoller {
  private inFlight = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  async poll(running: ReadonlyMap<string, FlowRunner>): Promise<void> {
    const byFlow = new Map<string, FlowRunner>();
    for (const runner of running.values()) byFlow.set(runner.deployment.flowId, runner);
    if (byFlow.size === 0) return;
    // Almost always nothing waits: this first read (the partial index of waiting rows, no
    // parameters) costs the same for 1 or 1,000 running flows. Only flows of ours that have rows
    // waiting go into the second, so rows of flows running nowhere cannot crowd out ours.
    const waiting = await this.db.$queryRaw<{ flowId: string }[]>`
      SELECT DISTINCT flow_id::text AS "flowId" FROM dead_letters
      WHERE replay_requested_at IS NOT NULL AND replayed_at IS NULL`;
    const flowIds = waiting.map((row) => row.flowId).filter((flowId) => byFlow.has(flowId));
    if (flowIds.length === 0) return;
    const rows = await this.db.$queryRaw<ReplayRow[]>`
      SELECT id, flow_id AS "flowId", node_id AS "nodeId", record FROM dead_letters
      WHERE flow_id = ANY(${flowIds}::uuid[])
        AND replay_requested_at IS NOT NULL AND replayed_at IS NULL
      ORDER BY id LIMIT 1000`;
    const groups = new Map<string, { runner: FlowRunner; nodeId: string; rows: ReplayRow[] }>();
    for (const row of rows) {
      const key = `${row.flowId}/${row.nodeId}`;
      const runner = byFlow.get(row.flowId);
      if (!runner?.accepts(row.nodeId) || this.inFlight.has(key)) continue;
      const group = groups.get(key) ?? { runner, nodeId: row.nodeId, rows: [] };
      group.rows.push(row);
      groups.set(key, group);
    }
    for (const [key, group] of groups) {
      this.inFlight.add(key);
      // Queueing may wait under backpressure; the reconcile loop must not.
      void this.replay(group.runner, group.nodeId, group.rows).finally(() => this.inFlight.delete(key));
    }
  }

  private async replay(runner: FlowRunner, nodeId: string, rows: ReplayRow[]): Promise<void> {
    try {
      const records: WeirRecord[] = rows.map((row) => weirRecordSchema.parse(fromStorableJson(row.record)));
      await runner.replay(nodeId, records);
      await this.db.deadLetter.updateMany({
        where: { id: { in: rows.map((row) => row.id) } },
        data: { replayedAt: new Date() },
      });
      this.log.info(`replayed ${rows.length} dead letter(s) into node '${nodeId}'`);
    } catch (error) {
      this.log.error(`replay into '${nodeId}' failed: ${errorMessage(error)}`);
    }
  }
}
