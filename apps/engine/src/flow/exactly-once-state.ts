// ctx.state under exactly-once delivery. The authoritative state is the node's changelog topic,
// written in the same Kafka transaction as the batch's outputs and input offsets and restored by
// whoever owns an input partition next (transport/kafka/state-changelog.ts); it is scoped to the
// input partition. Postgres holds a materialised view of it for the state browser and the API,
// written after each commit (so it may lag, and it is never read back by the function), under
// the key `p<changelog partition>/<state key>`.
import type { FlowSpec, StateWrite } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { Logger } from "../logger";
import type { NodeInput } from "../transport/edge-transport";
import { TransactionalNodeInput } from "../transport/kafka/transactional-input";
import type { NodeState } from "./services";

/** The materialised view's key of a state key of one changelog partition. */
export function materialisedKey(changelogPartition: number, key: string): string {
  return `p${String(changelogPartition)}/${key}`;
}

/**
 * The function state a node's instance uses: the Postgres store as it is (at-least-once), or
 * the instance's exactly-once input's partition state, materialised into that store.
 */
export function stateFor(spec: FlowSpec, store: NodeState, input: NodeInput, log: Logger): NodeState {
  if (spec.delivery !== "exactly-once") return store;
  if (!(input instanceof TransactionalNodeInput))
    throw new Error(
      "delivery \"exactly-once\": a function node's input must be the Kafka transport's transactional input",
    );
  // One view write at a time, in commit order, so a later value of a key never lands first.
  let materialising: Promise<void> = Promise.resolve();
  const state = input.functionState((partition, writes: readonly StateWrite[]) => {
    const keyed = writes.map((write) => ({ ...write, key: materialisedKey(partition, write.key) }));
    materialising = materialising.then(async () => {
      try {
        await store.apply(keyed);
        await store.flush();
      } catch (error) {
        log.warn(
          `materialising exactly-once state into Postgres failed (the changelog keeps it): ${errorMessage(error)}`,
        );
      }
    });
  });
  return {
    get: (key) => state.get(key),
    apply: (writes) => state.apply(writes),
    // A batch's writes travel with its commit; the view follows each commit by itself.
    flush: () => materialising,
  };
}
