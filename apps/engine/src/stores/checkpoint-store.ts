import type { Db } from "@weir/db";
import { fromStorableJson, toStorableJson } from "@weir/db";
import type { JsonValue } from "@weir/domain";

/** Where each source got to, per flow and node, so restarts and redeploys continue. */
export class CheckpointStore {
  constructor(private readonly db: Db) {}

  async load(flowId: string, nodeId: string): Promise<JsonValue | null> {
    const row = await this.db.sourceCheckpoint.findUnique({ where: { flowId_nodeId: { flowId, nodeId } } });
    return (row === null ? null : fromStorableJson(row.position)) as JsonValue | null;
  }

  async save(flowId: string, nodeId: string, position: JsonValue): Promise<void> {
    // A position with NUL or a lone surrogate (a Kafka key, say) is stored wrapped and read back exactly.
    const value = toStorableJson(position);
    await this.db.sourceCheckpoint.upsert({
      where: { flowId_nodeId: { flowId, nodeId } },
      create: { flowId, nodeId, position: value },
      update: { position: value },
    });
  }
}
