import { z } from "zod";

export const desiredStateSchema = z.enum(["running", "stopped"]);
export type DesiredState = z.infer<typeof desiredStateSchema>;

export const actualStateSchema = z.enum(["pending", "starting", "running", "stopping", "stopped", "failed"]);
export type ActualState = z.infer<typeof actualStateSchema>;

/**
 * The transitions an engine may make. `running → starting` is a recovery: another engine
 * takes over a deployment whose owner stopped renewing its lease.
 */
const transitions: Record<ActualState, readonly ActualState[]> = {
  pending: ["starting", "stopped"],
  starting: ["running", "failed", "stopping"],
  running: ["stopping", "failed", "starting"],
  stopping: ["stopped", "failed"],
  stopped: [],
  failed: ["stopped", "starting"],
};

export function canTransition(from: ActualState, to: ActualState): boolean {
  return transitions[from].includes(to);
}

export function assertTransition(from: ActualState, to: ActualState): void {
  if (!canTransition(from, to)) {
    throw new Error(`deployment cannot go from '${from}' to '${to}'`);
  }
}

/** Whether an engine still has work to do for a deployment in this pair of states. */
export function needsReconcile(desired: DesiredState, actual: ActualState): boolean {
  switch (desired) {
    case "running":
      return actual === "pending" || actual === "starting";
    case "stopped":
      return actual !== "stopped";
  }
}

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
