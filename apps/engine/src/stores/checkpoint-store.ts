import type { Db } from "@weir/db";
import { fromStorableJson, toStorableJson } from "@weir/db";
import type { JsonValue } from "@weir/domain";

interface Waiting {
  position: JsonValue;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Saves wait this long to be written together: with many small flows every generator saves once
 * a second at its own moment, and without the wait that was a write for nearly every save (40 a
 * second at 100 flows). Sources do not wait for a save before going on (see the generator).
 */
const CHECKPOINT_GATHER_MS = 200;

/**
 * Where each source got to, per flow and node, so restarts and redeploys continue. Saves made
 * within CHECKPOINT_GATHER_MS, or while a write is on its way, are written together in one
 * statement (each source's latest position wins). A save resolves once its position is stored.
 */
export class CheckpointStore {
  private pending = new Map<string, { flowId: string; nodeId: string; waiting: Waiting[] }>();
  private writing: Promise<void> | undefined;

  constructor(private readonly db: Db) {}

  async load(flowId: string, nodeId: string): Promise<JsonValue | null> {
    const row = await this.db.sourceCheckpoint.findUnique({ where: { flowId_nodeId: { flowId, nodeId } } });
    return (row === null ? null : fromStorableJson(row.position)) as JsonValue | null;
  }

  save(flowId: string, nodeId: string, position: JsonValue): Promise<void> {
    return new Promise((resolve, reject) => {
      const key = `${flowId}/${nodeId}`;
      const entry = this.pending.get(key) ?? { flowId, nodeId, waiting: [] };
      entry.waiting.push({ position, resolve, reject });
      this.pending.set(key, entry);
      this.writing ??= this.writeAll();
    });
  }

  /**
   * Writes what is pending, then what came meanwhile, until nothing is left; each write gathers
   * for CHECKPOINT_GATHER_MS first. Saves arriving during a write went out in a write of their
   * own right after it (a few milliseconds later), which at 100 flows was 5 to 8 writes a second
   * instead of one per gather.
   */
  private async writeAll(): Promise<void> {
    while (this.pending.size > 0) {
      await new Promise((resolve) => setTimeout(resolve, CHECKPOINT_GATHER_MS));
      const batch = [...this.pending.values()];
      this.pending = new Map();
      // A position with NUL or a lone surrogate (a Kafka key, say) is stored wrapped and read back exactly.
      const positions = batch.map((entry) =>
        JSON.stringify(toStorableJson(entry.waiting[entry.waiting.length - 1]?.position ?? null)),
      );
      try {
        await this.db.$executeRaw`
          INSERT INTO source_checkpoints (flow_id, node_id, position, updated_at)
          SELECT flow_id, node_id, position, now()
          FROM unnest(${batch.map((entry) => entry.flowId)}::uuid[], ${batch.map((entry) => entry.nodeId)}::text[],
                      ${positions}::jsonb[]) AS checkpoint(flow_id, node_id, position)
          ON CONFLICT (flow_id, node_id) DO UPDATE SET position = EXCLUDED.position, updated_at = EXCLUDED.updated_at`;
        for (const entry of batch) for (const waiting of entry.waiting) waiting.resolve();
      } catch (error) {
        for (const entry of batch) for (const waiting of entry.waiting) waiting.reject(error);
      }
    }
    this.writing = undefined;
  }
}
