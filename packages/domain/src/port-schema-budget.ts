// A step budget for the schema checks. Schemas come from users (a flow may be 4 MiB), and nested
// anyOf or wide objects make validation and the compatibility search grow as a product of widths;
// so each top-level check may take a bounded number of steps, and reports when it ran out (the
// compatibility check then answers "unknown", the validator says the schema is too complex).
// Synchronous and single-threaded, so one module-level meter serves.
let remaining = Number.POSITIVE_INFINITY;
let exhausted = false;

/** Steps one top-level check may take: well above any hand-written schema (tests use ~10²-10³). */
export const SCHEMA_CHECK_STEPS = 200_000;

/** Runs `fn` under a fresh budget, unless one is already running (then it shares it). */
export function metered<T>(fn: () => T): { value: T; exhausted: boolean } {
  if (remaining !== Number.POSITIVE_INFINITY) return { value: fn(), exhausted };
  remaining = SCHEMA_CHECK_STEPS;
  exhausted = false;
  try {
    const value = fn();
    return { value, exhausted };
  } finally {
    remaining = Number.POSITIVE_INFINITY;
    exhausted = false;
  }
}

/** Takes one step; false once the budget is spent. */
export function step(): boolean {
  remaining -= 1;
  if (remaining < 0) exhausted = true;
  return remaining >= 0;
}
