import { z } from "zod";

export const desiredStateSchema = z.enum(["running", "stopped"]);
export type DesiredState = z.infer<typeof desiredStateSchema>;

export const actualStateSchema = z.enum(["pending", "starting", "running", "stopping", "stopped", "failed"]);
export type ActualState = z.infer<typeof actualStateSchema>;

/** A deployment is created wanting to run, in this state, owned by no engine. */
export const initialActualState: ActualState = "pending";

/**
 * Who must hold a deployment for an engine to make a transition:
 * - `self`: the engine making it (its id is the deployment's `engine_id`);
 * - `nobody`: no engine, or one whose lease has lapsed (it died or lost the database);
 * - `self-or-nobody`: either (an engine restarted under the same id takes its own back).
 */
export type Holder = "self" | "nobody" | "self-or-nobody";

/**
 * What a transition does to the lease: `take` makes the engine the holder for one lease period,
 * `keep` leaves it as it is, `drop` leaves the deployment to nobody.
 */
export type LeaseEffect = "take" | "keep" | "drop";

export interface DeploymentTransition {
  /** The states it may start from; in any other the transition does nothing. */
  from: readonly ActualState[];
  to: ActualState;
  /** The desired state the deployment must have; undefined: either. */
  desired?: DesiredState;
  holder: Holder;
  lease: LeaseEffect;
}

/**
 * Every change an engine makes to a deployment's actual state, declared once. The engine's
 * reconciler makes each one through a single function whose SQL guard (from states, desired
 * state, holder) comes from this table, so a transition not listed here cannot happen, whatever
 * order engines race in. `desired` changes only in the API: created `running`, later `stopped`,
 * never back (a redeploy is a new deployment).
 */
export const deploymentTransitions = {
  /**
   * An engine takes a deployment that should run and that nobody runs: a new or released one
   * (`pending`), or one whose engine stopped renewing its lease mid-way (a recovery).
   */
  claim: {
    from: ["pending", "starting", "running", "stopping"],
    to: "starting",
    desired: "running",
    holder: "self-or-nobody",
    lease: "take",
  },
  /** Its runner started. */
  started: { from: ["starting"], to: "running", holder: "self", lease: "keep" },
  /** Its runner could not start (an invalid version, a connector that refused its config). */
  failed: { from: ["starting"], to: "failed", holder: "self", lease: "drop" },
  /** Asked to stop: its runner drains. */
  stopping: {
    from: ["starting", "running"],
    to: "stopping",
    desired: "stopped",
    holder: "self",
    lease: "keep",
  },
  /** Its runner has stopped (`starting`/`running` when marking it `stopping` failed). */
  stopped: {
    from: ["starting", "running", "stopping"],
    to: "stopped",
    desired: "stopped",
    holder: "self",
    lease: "drop",
  },
  /** Its engine shuts down while it should still run: handed back for the next engine to claim. */
  released: {
    from: ["starting", "running", "stopping"],
    to: "pending",
    desired: "running",
    holder: "self",
    lease: "drop",
  },
  /** Asked to stop while no live engine runs it (never claimed, failed, or its engine died). */
  settled: {
    from: ["pending", "starting", "running", "stopping", "failed"],
    to: "stopped",
    desired: "stopped",
    holder: "nobody",
    lease: "drop",
  },
} as const satisfies Record<string, DeploymentTransition>;

export type DeploymentEvent = keyof typeof deploymentTransitions;

export const deploymentEvents = Object.keys(deploymentTransitions) as DeploymentEvent[];

/** Whether some declared transition goes from one state to the other. */
export function canTransition(from: ActualState, to: ActualState): boolean {
  return deploymentEvents.some((event) => {
    const transition: DeploymentTransition = deploymentTransitions[event];
    return transition.to === to && transition.from.includes(from);
  });
}

export function assertTransition(from: ActualState, to: ActualState): void {
  if (!canTransition(from, to)) {
    throw new Error(`deployment cannot go from '${from}' to '${to}'`);
  }
}

/** States an engine may hold a deployment in (the others have `engine_id` NULL). */
export const heldStates: readonly ActualState[] = ["starting", "running", "stopping"];

export interface DeploymentStatus {
  id: string;
  flowId: string;
  version: number;
  desiredState: DesiredState;
  actualState: ActualState;
  error: string | null;
  engineId: string | null;
  createdAt: string;
  startedAt: string | null;
  stoppedAt: string | null;
}
