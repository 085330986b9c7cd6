import type { Db } from "@weir/db";
import { Prisma } from "@weir/db";
import type { DeploymentEvent, DeploymentTransition, Holder } from "@weir/domain";
import { deploymentTransitions } from "@weir/domain";

export type EngineTransport = "in-process" | "kafka";

/** A deployment this engine has just claimed and must start. */
export interface ClaimedDeployment {
  id: string;
  flowId: string;
  flowVersionId: string;
}

/**
 * Leases are extended once this share of a lease has passed since their last extension (5 s of
 * the default 15 s), so two extensions can fail before a lease lapses.
 */
export const LEASE_RENEW_FRACTION = 1 / 3;

/** Which deployments a transition applies to: one by id, or up to `limit` of those it fits. */
type Scope = { id: string } | { except: readonly string[]; limit: number | null };

/**
 * Deployments one claim takes, so engines starting together share what is waiting; an engine
 * whose claim came back full claims again at once (engine.ts readDeployments).
 */
export const CLAIMS_PER_READ = 10;

/**
 * The SQL side of reconciliation. Ownership is a lease: the engine that claims a deployment
 * renews `lease_expires_at` while it runs it; when an engine dies its leases lapse and another
 * engine claims the deployment. Every change of a deployment's actual state goes through
 * `transition`, whose guard comes from `deploymentTransitions` in @weir/domain; a call that does
 * not fit the table (wrong state, desired state or holder) changes nothing.
 */
export class DeploymentLeases {
  constructor(
    private readonly db: Db,
    private readonly engineId: string,
    private readonly leaseMs: number,
  ) {}

  /** `transport` is the edge transport this engine runs ("in-process" or "kafka"), shown to users. */
  async heartbeat(ingestUrl: string, transport: EngineTransport): Promise<void> {
    await this.db.engineInstance.upsert({
      where: { id: this.engineId },
      create: { id: this.engineId, ingestUrl, transport },
      update: { ingestUrl, transport, heartbeatAt: new Date() },
    });
  }

  async claim(running: readonly string[], limit = CLAIMS_PER_READ): Promise<ClaimedDeployment[]> {
    return this.transition("claim", { except: running, limit }, Prisma.sql`error = NULL`);
  }

  /**
   * Returns the deployments of `running` this engine should keep running; any other one was
   * stopped, deleted or taken over, and must stop here. Their leases are extended when the last
   * extension is LEASE_RENEW_FRACTION of a lease old; the calls between (one per reconcile, every
   * 500 ms) only read: writing every running deployment's row twice a second was most of what
   * idle flows cost Postgres (100 idle flows: 200 row updates a second).
   */
  /** Whether the next `renew` extends the leases (LEASE_RENEW_FRACTION of a lease since the last). */
  extensionDue(now = Date.now()): boolean {
    return now - this.extendedAt >= this.leaseMs * LEASE_RENEW_FRACTION;
  }

  async renew(running: readonly string[], now = Date.now()): Promise<Set<string>> {
    if (running.length === 0) return new Set();
    // Both forms answer the ids that are no longer this engine's to run (almost always none), not
    // the ones it keeps: a row read back for every running deployment twice a second was most of
    // what idle flows cost the engine's thread (1,000 idle flows, two alternating runs of 4 windows:
    // medians 4.8 % and 5.5 % of a core before, 3.7 % and 3.6 % after).
    let lost: { id: string }[];
    // A deployment claimed since the last extension got a whole lease when it was claimed.
    if (!this.extensionDue(now)) {
      lost = await this.db.$queryRaw<{ id: string }[]>`
        SELECT running.id::text AS id FROM unnest(${running}::uuid[]) AS running(id)
        WHERE NOT EXISTS (SELECT 1 FROM deployments
                          WHERE deployments.id = running.id AND ${this.holderGuard("self")}
                            AND desired_state = 'running')`;
    } else {
      lost = await this.db.$queryRaw<{ id: string }[]>`
        WITH kept AS (
          UPDATE deployments SET lease_expires_at = ${this.leaseExpiry()}
          WHERE id = ANY(${running}::uuid[]) AND ${this.holderGuard("self")} AND desired_state = 'running'
          RETURNING id
        )
        SELECT running.id::text AS id FROM unnest(${running}::uuid[]) AS running(id)
        WHERE running.id NOT IN (SELECT id FROM kept)`;
      // Counted from before the write: the leases run from when Postgres took it, a little later.
      this.extendedAt = now;
    }
    const kept = new Set(running);
    for (const row of lost) kept.delete(row.id);
    return kept;
  }

  /** When renew last extended the leases (Date.now()); none yet. */
  private extendedAt = Number.NEGATIVE_INFINITY;

  async markRunning(id: string): Promise<void> {
    await this.transition("started", { id }, Prisma.sql`started_at = now()`);
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.transition("failed", { id }, Prisma.sql`error = ${error}`);
  }

  async markStopping(id: string): Promise<void> {
    await this.transition("stopping", { id });
  }

  async markStopped(id: string, error: string | null): Promise<void> {
    await this.transition(
      "stopped",
      { id },
      Prisma.sql`stopped_at = now(), error = COALESCE(${error}, error)`,
    );
  }

  /** Hands a still-wanted deployment back on shutdown, so the next engine starts it at once. */
  async release(id: string): Promise<void> {
    await this.transition("released", { id });
  }

  /** Marks stopped the deployments asked to stop that no live engine is running. */
  async settleUnowned(): Promise<void> {
    await this.transition(
      "settled",
      { except: [], limit: null },
      Prisma.sql`stopped_at = COALESCE(stopped_at, now())`,
    );
  }

  async unregister(): Promise<void> {
    await this.db.engineInstance.deleteMany({ where: { id: this.engineId } });
  }

  /**
   * The one place a deployment's actual state changes. A batch (`except`/`limit`) locks the rows
   * it takes with `FOR UPDATE SKIP LOCKED`, so two engines never claim the same one; a single row
   * is updated in place, and Postgres re-checks the guard against the row's latest version.
   */
  private async transition(
    event: DeploymentEvent,
    scope: Scope,
    extra?: Prisma.Sql,
  ): Promise<ClaimedDeployment[]> {
    const rule: DeploymentTransition = deploymentTransitions[event];
    const guard = this.guardOf(rule);
    const set = Prisma.join(
      [
        Prisma.sql`actual_state = ${rule.to}::actual_state`,
        Prisma.sql`updated_at = now()`,
        ...this.leaseSet(rule),
        ...(extra ? [extra] : []),
      ],
      ", ",
    );
    const returning = Prisma.sql`RETURNING id, flow_id AS "flowId", flow_version_id AS "flowVersionId"`;
    if ("id" in scope) {
      return this.db.$queryRaw<ClaimedDeployment[]>`
        UPDATE deployments SET ${set} WHERE id = ${scope.id}::uuid AND ${guard} ${returning}`;
    }
    const limit = scope.limit === null ? Prisma.empty : Prisma.sql`LIMIT ${scope.limit}`;
    return this.db.$queryRaw<ClaimedDeployment[]>`
      UPDATE deployments SET ${set}
      WHERE id IN (
        SELECT id FROM deployments
        WHERE ${guard} AND NOT (id = ANY(${scope.except}::uuid[]))
        ORDER BY created_at ${limit}
        FOR UPDATE SKIP LOCKED)
      ${returning}`;
  }

  private guardOf(rule: DeploymentTransition): Prisma.Sql {
    const states = Prisma.join(rule.from.map((state) => Prisma.sql`${state}::actual_state`));
    const conditions = [Prisma.sql`actual_state IN (${states})`, this.holderGuard(rule.holder)];
    if (rule.desired) conditions.push(Prisma.sql`desired_state = ${rule.desired}::desired_state`);
    return Prisma.join(conditions, " AND ");
  }

  private holderGuard(holder: Holder): Prisma.Sql {
    const self = Prisma.sql`engine_id = ${this.engineId}`;
    const nobody = Prisma.sql`(engine_id IS NULL OR lease_expires_at IS NULL OR lease_expires_at < now())`;
    switch (holder) {
      case "self":
        return self;
      case "nobody":
        return nobody;
      case "self-or-nobody":
        return Prisma.sql`(${self} OR ${nobody})`;
    }
  }

  private leaseSet(rule: DeploymentTransition): Prisma.Sql[] {
    switch (rule.lease) {
      case "take":
        return [
          Prisma.sql`engine_id = ${this.engineId}`,
          Prisma.sql`lease_expires_at = ${this.leaseExpiry()}`,
        ];
      case "keep":
        return [];
      case "drop":
        return [Prisma.sql`engine_id = NULL`, Prisma.sql`lease_expires_at = NULL`];
    }
  }

  private leaseExpiry(): Prisma.Sql {
    return Prisma.sql`now() + ${this.leaseMs} * interval '1 millisecond'`;
  }
}
