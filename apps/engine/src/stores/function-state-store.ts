import type { Db } from "@weir/db";
import { fromStorableJson, storableText, toStorableJson } from "@weir/db";
import type { FunctionStateStore, JsonValue, StateWrite } from "@weir/domain";

/**
 * ctx.state for one function node. Reads are served from a cache filled from Postgres on first
 * use; writes update the cache at once and reach Postgres in one transaction per batch, when the
 * function runner calls flush() — before the batch's outputs move on. One engine owns a
 * deployment at a time (its lease), and a node's instances on it share one store (in-memory
 * `parallelism`), which is what makes the cache safe. Flushes run one after another, so a later
 * value of a key never lands before an earlier one.
 */
export class NodeStateStore implements FunctionStateStore {
  private readonly cache = new Map<string, JsonValue | undefined>();
  private pending = new Map<string, StateWrite>();
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly flowId: string,
    private readonly nodeId: string,
  ) {}

  async get(key: string): Promise<JsonValue | undefined> {
    if (this.cache.has(key)) return this.cache.get(key);
    const row = await this.db.functionState.findUnique({
      where: { flowId_nodeId_key: { flowId: this.flowId, nodeId: this.nodeId, key: storableText(key) } },
    });
    const value = row === null ? undefined : (fromStorableJson(row.value) as JsonValue);
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

  /**
   * Writes what apply() collected since the last flush, last write per key winning. Values are
   * stored with `toStorableJson` (NUL and lone surrogates survive); if the batch still fails it
   * is tried once more with every value in the wrapper encoding before it waits for the next flush.
   * Each waits for the one before: two instances of a node flushing at once would otherwise race
   * their transactions, and the older value of a key could commit last.
   */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.writePending());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async writePending(): Promise<void> {
    if (this.pending.size === 0) return;
    const writes = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.write(writes, false).catch(() => this.write(writes, true));
    } catch (error) {
      for (const write of writes) if (!this.pending.has(write.key)) this.pending.set(write.key, write);
      throw error;
    }
  }

  private async write(writes: readonly StateWrite[], force: boolean): Promise<void> {
    // Keys are text columns: a NUL or lone surrogate in a key is stored escaped (`storableText`).
    const where = (key: string) => ({
      flowId_nodeId_key: { flowId: this.flowId, nodeId: this.nodeId, key: storableText(key) },
    });
    await this.db.$transaction(
      writes.map((write) =>
        "delete" in write
          ? this.db.functionState.deleteMany({
              where: { flowId: this.flowId, nodeId: this.nodeId, key: storableText(write.key) },
            })
          : this.db.functionState.upsert({
              where: where(write.key),
              create: {
                flowId: this.flowId,
                nodeId: this.nodeId,
                key: storableText(write.key),
                value: toStorableJson(write.value, { force }),
              },
              update: { value: toStorableJson(write.value, { force }) },
            }),
      ),
    );
  }
}
