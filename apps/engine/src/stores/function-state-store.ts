import type { Db } from "@weir/db";
import type { FunctionStateStore, JsonValue, StateWrite } from "@weir/domain";

/**
 * ctx.state for one function node. Reads are served from a cache filled from Postgres on first
 * use; writes update the cache at once and reach Postgres in one transaction per batch, when the
 * function runner calls flush() — before the batch's outputs move on. One engine owns a
 * deployment at a time (its lease), which is what makes the cache safe.
 */
export class NodeStateStore implements FunctionStateStore {
  private readonly cache = new Map<string, JsonValue | undefined>();
  private pending = new Map<string, StateWrite>();

  constructor(
    private readonly db: Db,
    private readonly flowId: string,
    private readonly nodeId: string,
  ) {}

  async get(key: string): Promise<JsonValue | undefined> {
    if (this.cache.has(key)) return this.cache.get(key);
    const row = await this.db.functionState.findUnique({
      where: { flowId_nodeId_key: { flowId: this.flowId, nodeId: this.nodeId, key } },
    });
    const value = row === null ? undefined : (row.value as JsonValue);
    // A write that landed while we were reading wins.
    if (!this.cache.has(key)) this.cache.set(key, value);
    return this.cache.get(key);
  }

  apply(writes: readonly StateWrite[]): Promise<void> {
    for (const write of writes) {
      this.cache.set(write.key, "delete" in write ? undefined : write.value);
      this.pending.set(write.key, write);
    }
    return Promise.resolve();
  }

  /** Writes what apply() collected since the last flush, last write per key winning. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const writes = [...this.pending.values()];
    this.pending = new Map();
    const where = (key: string) => ({ flowId_nodeId_key: { flowId: this.flowId, nodeId: this.nodeId, key } });
    try {
      await this.db.$transaction(
        writes.map((write) =>
          "delete" in write
            ? this.db.functionState.deleteMany({
                where: { flowId: this.flowId, nodeId: this.nodeId, key: write.key },
              })
            : this.db.functionState.upsert({
                where: where(write.key),
                create: {
                  flowId: this.flowId,
                  nodeId: this.nodeId,
                  key: write.key,
                  value: write.value ?? {},
                },
                update: { value: write.value ?? {} },
              }),
        ),
      );
    } catch (error) {
      for (const write of writes) if (!this.pending.has(write.key)) this.pending.set(write.key, write);
      throw error;
    }
  }
}
