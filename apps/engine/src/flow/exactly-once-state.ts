// ctx.state under exactly-once delivery. State lives in Postgres, outside the Kafka transaction
// that commits a batch's outputs and offsets, so a crash between the two would repeat or lose a
// state change. Until state travels in that transaction, a write is refused: the record fails
// with this reason (and is dead-lettered) rather than change state at least once.
import type { FlowSpec, StateWrite } from "@weir/domain";
import type { NodeState } from "./services";

export const STATE_REFUSED =
  'ctx.state writes are not supported with delivery "exactly-once" yet (state is stored outside the Kafka transaction); set the flow\'s delivery to "at-least-once" to keep state';

export function stateFor(spec: FlowSpec, state: NodeState): NodeState {
  if (spec.delivery !== "exactly-once") return state;
  return {
    get: (key) => state.get(key),
    apply: (writes: readonly StateWrite[]) =>
      writes.length === 0 ? Promise.resolve() : Promise.reject(new Error(STATE_REFUSED)),
    flush: () => state.flush(),
  };
}
