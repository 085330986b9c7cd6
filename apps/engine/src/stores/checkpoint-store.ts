import type { Db } from "@weir/db";
import type { JsonValue } from "@weir/domain";

/** Where each source got to, per flow and node, so restarts and redeploys continue. */
export class CheckpointStore {
  constructor(private readonly db: Db) {}

  async load(flowId: string, nodeId: string): Promise<JsonValue | null> {
    const row = await this.db.sourceCheckpoint.findUnique({ where: { flowId_nodeId: { flowId, nodeId } } });
    return (row?.position ?? null) as JsonValue | null;
  }

  async save(flowId: string, nodeId: string, position: JsonValue): Promise<void> {
    const value = position ?? {};
    await this.db.sourceCheckpoint.upsert({
      where: { flowId_nodeId: { flowId, nodeId } },
      create: { flowId, nodeId, position: value },
      update: { position: value },
    });
  }
}
