import { useTestDatabase } from "@weir/testkit/test-database";
import { describe, expect, it } from "vitest";
import { DeploymentLeases, LEASE_RENEW_FRACTION } from "./reconciler";

const database = useTestDatabase("weir_reconciler_leases_test");
const LEASE_MS = 15_000;

async function runningDeployment(): Promise<string> {
  const { db } = database;
  const flow = await db.flow.create({ data: { name: "leased", latestVersion: 1 } });
  const version = await db.flowVersion.create({ data: { flowId: flow.id, version: 1, spec: {} } });
  const deployment = await db.deployment.create({
    data: { flowId: flow.id, flowVersionId: version.id, desiredState: "running" },
  });
  return deployment.id;
}

const leaseOf = async (id: string): Promise<number | undefined> =>
  (await database.db.deployment.findUnique({ where: { id } }))?.leaseExpiresAt?.getTime();

describe("DeploymentLeases.renew", () => {
  it("extends the leases once per part of a lease and only reads between, still noticing a stop", async () => {
    const { db } = database;
    const leases = new DeploymentLeases(db, "engine-renew", LEASE_MS);
    const id = await runningDeployment();
    const other = await runningDeployment();
    const claimed = await leases.claim([]);
    expect(claimed.map((c) => c.id).sort()).toEqual([id, other].sort());

    const t0 = Date.now();
    expect(await leases.renew([id, other], t0)).toEqual(new Set([id, other]));
    // A marker the next calls must leave alone: they only read.
    const marker = new Date(Date.now() + 60_000);
    await db.deployment.updateMany({ where: { id: { in: [id, other] } }, data: { leaseExpiresAt: marker } });
    const between = t0 + LEASE_MS * LEASE_RENEW_FRACTION - 1;
    expect(await leases.renew([id, other], t0 + 500)).toEqual(new Set([id, other]));
    expect(await leaseOf(id)).toBe(marker.getTime());

    // A stop is seen at the next call, written or not.
    await db.deployment.update({ where: { id: other }, data: { desiredState: "stopped" } });
    expect(await leases.renew([id, other], between)).toEqual(new Set([id]));
    expect(await leaseOf(id)).toBe(marker.getTime());

    // Once that share of a lease has passed, the lease is extended again (to now + LEASE_MS).
    const before = Date.now();
    expect(await leases.renew([id], t0 + LEASE_MS * LEASE_RENEW_FRACTION)).toEqual(new Set([id]));
    const extended = await leaseOf(id);
    expect(extended).not.toBe(marker.getTime());
    expect(extended).toBeGreaterThanOrEqual(before + LEASE_MS - 1000);
    expect(extended).toBeLessThan(marker.getTime());
  });
});
