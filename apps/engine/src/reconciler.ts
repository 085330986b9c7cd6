import type { Db } from "@weir/db";

/** A deployment this engine has just claimed and must start. */
export interface ClaimedDeployment {
  id: string;
  flowId: string;
  flowVersionId: string;
}

/**
 * The SQL side of reconciliation. Ownership is a lease: the engine that claims a deployment
 * renews `lease_expires_at` while it runs it; when an engine dies its leases lapse and another
 * engine claims the deployment. `FOR UPDATE SKIP LOCKED` keeps two engines from claiming the
 * same row at once.
 */
export class DeploymentLeases {
  constructor(
    private readonly db: Db,
    private readonly engineId: string,
    private readonly leaseMs: number,
  ) {}

  async heartbeat(ingestUrl: string): Promise<void> {
    await this.db.engineInstance.upsert({
      where: { id: this.engineId },
      create: { id: this.engineId, ingestUrl },
      update: { ingestUrl, heartbeatAt: new Date() },
    });
  }

  async claim(running: readonly string[], limit = 10): Promise<ClaimedDeployment[]> {
    return this.db.$queryRaw<ClaimedDeployment[]>`
      UPDATE deployments
      SET engine_id = ${this.engineId}, actual_state = 'starting', error = NULL,
          lease_expires_at = now() + ${this.leaseMs} * interval '1 millisecond', updated_at = now()
      WHERE id IN (
        SELECT id FROM deployments
        WHERE desired_state = 'running'
          AND NOT (id = ANY(${running}::uuid[]))
          AND (actual_state = 'pending'
               OR (actual_state IN ('starting', 'running', 'stopping')
                   AND (engine_id = ${this.engineId} OR lease_expires_at IS NULL OR lease_expires_at < now())))
        ORDER BY created_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING id, flow_id AS "flowId", flow_version_id AS "flowVersionId"`;
  }

  /**
   * Extends the leases of the deployments this engine runs and returns those it should keep
   * running; any other one was stopped, deleted or taken over, and must stop here.
   */
  async renew(running: readonly string[]): Promise<Set<string>> {
    if (running.length === 0) return new Set();
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      UPDATE deployments
      SET lease_expires_at = now() + ${this.leaseMs} * interval '1 millisecond'
      WHERE id = ANY(${running}::uuid[]) AND engine_id = ${this.engineId} AND desired_state = 'running'
      RETURNING id`;
    return new Set(rows.map((row) => row.id));
  }

  async markRunning(id: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE deployments SET actual_state = 'running', started_at = now(), updated_at = now()
      WHERE id = ${id}::uuid AND engine_id = ${this.engineId}`;
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE deployments
      SET actual_state = 'failed', error = ${error}, engine_id = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE id = ${id}::uuid AND engine_id = ${this.engineId}`;
  }

  async markStopping(id: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE deployments SET actual_state = 'stopping', updated_at = now()
      WHERE id = ${id}::uuid AND engine_id = ${this.engineId} AND actual_state = 'running'`;
  }

  async markStopped(id: string, error: string | null): Promise<void> {
    await this.db.$executeRaw`
      UPDATE deployments
      SET actual_state = 'stopped', stopped_at = now(), engine_id = NULL, lease_expires_at = NULL,
          error = COALESCE(${error}, error), updated_at = now()
      WHERE id = ${id}::uuid AND engine_id = ${this.engineId}`;
  }

  /** Hands a still-wanted deployment back on shutdown, so the next engine starts it at once. */
  async release(id: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE deployments
      SET actual_state = 'pending', engine_id = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE id = ${id}::uuid AND engine_id = ${this.engineId} AND desired_state = 'running'`;
  }

  /** Marks stopped the deployments asked to stop that no live engine is running. */
  async settleUnowned(): Promise<void> {
    await this.db.$executeRaw`
      UPDATE deployments
      SET actual_state = 'stopped', stopped_at = COALESCE(stopped_at, now()), engine_id = NULL,
          lease_expires_at = NULL, updated_at = now()
      WHERE desired_state = 'stopped' AND actual_state <> 'stopped'
        AND (engine_id IS NULL OR lease_expires_at IS NULL OR lease_expires_at < now())`;
  }

  async unregister(): Promise<void> {
    await this.db.engineInstance.deleteMany({ where: { id: this.engineId } });
  }
}
