export type DeathKind = "timeout" | "memory" | "crash";

/**
 * A guest (isolate, worker, process) stopped in the middle of a call and was ended: nothing the
 * call did survives.
 */
export class GuestDied extends Error {
  readonly kind: DeathKind;

  constructor(kind: DeathKind, message: string) {
    super(message);
    this.name = "GuestDied";
    this.kind = kind;
  }
}
