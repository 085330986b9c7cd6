import fc from "fast-check";
import type { ActualState, DeploymentEvent, DeploymentTransition } from "@weir/domain";
import { canTransition, deploymentTransitions, heldStates } from "@weir/domain";
import { useTestDatabase } from "@weir/testkit/test-database";
import { beforeAll, describe, expect, it } from "vitest";
import { DeploymentLeases } from "./reconciler";

// Random sequences of what the API and engines do to deployments (deploy, stop, each engine's
// reconcile steps called on any deployment in any order, a crash, a lease lapsing), run against
// the real SQL in Postgres. Whatever the order, every change of a deployment's state must be the
// transition the call names, allowed by the table in @weir/domain.

const ENGINES = ["engine-a", "engine-b", "engine-c"];
const FLOWS = 2;

interface Row {
  id: string;
  flowId: string;
  desiredState: "running" | "stopped";
  actualState: ActualState;
  engineId: string | null;
}

type Op =
  | { kind: "deploy" | "stop"; flow: number }
  | { kind: "claim" | "renew" | "settle" | "crash" | "lapse"; engine: number }
  | { kind: "started" | "failed" | "stopping" | "stopped" | "released"; engine: number; deployment: number };

const engine = fc.nat(ENGINES.length - 1);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom("deploy" as const, "stop" as const),
      flow: fc.nat(FLOWS - 1),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom("claim" as const, "renew" as const, "settle" as const),
      engine,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom("crash" as const, "lapse" as const), engine }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        "started" as const,
        "failed" as const,
        "stopping" as const,
        "stopped" as const,
        "released" as const,
      ),
      engine,
      deployment: fc.nat(20),
    }),
  },
);

const database = useTestDatabase("weir_reconciler_test");
const flowIds: string[] = [];
const versionIds: string[] = [];

beforeAll(async () => {
  for (let i = 0; i < FLOWS; i++) {
    const flow = await database.db.flow.create({ data: { name: `flow ${i}`, latestVersion: 1 } });
    const version = await database.db.flowVersion.create({ data: { flowId: flow.id, version: 1, spec: {} } });
    flowIds.push(flow.id);
    versionIds.push(version.id);
  }
});

async function snapshot(): Promise<Map<string, Row>> {
  const rows = await database.db.deployment.findMany({
    select: { id: true, flowId: true, desiredState: true, actualState: true, engineId: true },
  });
  return new Map(rows.map((row) => [row.id, row]));
}

/** The invariants of the table that hold between any two calls. */
function expectConsistent(rows: Map<string, Row>): void {
  for (const row of rows.values()) {
    // A deployment has an engine exactly while it is in a held state.
    expect(row.engineId !== null, `${row.actualState} with engine ${row.engineId}`).toBe(
      heldStates.includes(row.actualState),
    );
  }
  for (const flowId of flowIds) {
    const wanted = [...rows.values()].filter(
      (row) => row.flowId === flowId && row.desiredState === "running",
    );
    expect(wanted.length).toBeLessThanOrEqual(1);
  }
}

/** Every row that changed state did so by the named event, from a state and holder it allows. */
function expectOnly(
  event: DeploymentEvent | null,
  engineId: string | null,
  before: Map<string, Row>,
  after: Map<string, Row>,
): void {
  for (const [id, now] of after) {
    const was = before.get(id);
    if (!was) {
      expect(now.actualState).toBe("pending");
      continue;
    }
    if (was.actualState === now.actualState && was.engineId === now.engineId) continue;
    const change = `${event ?? "no transition"}: ${was.actualState} → ${now.actualState}`;
    expect(event, change).not.toBeNull();
    if (event === null) return;
    const rule: DeploymentTransition = deploymentTransitions[event];
    expect(canTransition(was.actualState, now.actualState), change).toBe(true);
    expect(rule.from, change).toContain(was.actualState);
    expect(now.actualState, change).toBe(rule.to);
    if (rule.desired) expect(was.desiredState, change).toBe(rule.desired);
    if (rule.holder === "self") expect(was.engineId, change).toBe(engineId);
  }
}

describe("the reconciler's SQL obeys the deployment state table", () => {
  it("random deploys, stops, engine steps, crashes and lapsed leases make only declared transitions", async () => {
    const { db } = database;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 10, maxLength: 60, size: "max" }), async (ops) => {
        await db.deployment.deleteMany({});
        const leases = ENGINES.map((id) => new DeploymentLeases(db, id, 60_000));
        const running = ENGINES.map(() => new Set<string>());
        const created: string[] = [];
        for (const step of ops) {
          const before = await snapshot();
          let event: DeploymentEvent | null = null;
          let engineId: string | null = null;
          switch (step.kind) {
            case "deploy": {
              // What the API's deployment.deploy writes.
              const flowId = flowIds[step.flow] ?? "";
              const row = await db.$transaction(async (tx) => {
                await tx.deployment.updateMany({
                  where: { flowId, desiredState: "running" },
                  data: { desiredState: "stopped" },
                });
                return tx.deployment.create({
                  data: { flowId, flowVersionId: versionIds[step.flow] ?? "", desiredState: "running" },
                });
              });
              created.push(row.id);
              break;
            }
            case "stop":
              await db.deployment.updateMany({
                where: { flowId: flowIds[step.flow] ?? "", desiredState: "running" },
                data: { desiredState: "stopped" },
              });
              break;
            case "claim": {
              event = "claim";
              engineId = ENGINES[step.engine] ?? null;
              const mine = running[step.engine] ?? new Set();
              for (const claimed of (await leases[step.engine]?.claim([...mine])) ?? []) mine.add(claimed.id);
              break;
            }
            case "renew": {
              const mine = running[step.engine] ?? new Set();
              const kept = (await leases[step.engine]?.renew([...mine])) ?? new Set();
              for (const id of mine) if (!kept.has(id)) mine.delete(id);
              break;
            }
            case "settle":
              event = "settled";
              await leases[step.engine]?.settleUnowned();
              break;
            case "crash":
              running[step.engine]?.clear();
              break;
            case "lapse":
              await db.deployment.updateMany({
                where: { engineId: ENGINES[step.engine] ?? "" },
                data: { leaseExpiresAt: new Date(Date.now() - 1000) },
              });
              break;
            case "started":
            case "failed":
            case "stopping":
            case "stopped":
            case "released": {
              event = step.kind;
              engineId = ENGINES[step.engine] ?? null;
              const id = created[step.deployment % Math.max(created.length, 1)];
              if (id === undefined) break;
              const lease = leases[step.engine];
              if (!lease) break;
              const calls: Record<typeof step.kind, () => Promise<void>> = {
                started: () => lease.markRunning(id),
                failed: () => lease.markFailed(id, "could not start"),
                stopping: () => lease.markStopping(id),
                stopped: () => lease.markStopped(id, null),
                released: () => lease.release(id),
              };
              await calls[step.kind]();
              if (step.kind !== "started" && step.kind !== "stopping") running[step.engine]?.delete(id);
            }
          }
          const after = await snapshot();
          expectOnly(event, engineId, before, after);
          expectConsistent(after);
        }

        // Stop everything, let every lease lapse: the deployments nobody runs any more settle.
        await db.deployment.updateMany({ data: { desiredState: "stopped" } });
        await db.deployment.updateMany({ data: { leaseExpiresAt: new Date(Date.now() - 1000) } });
        await leases[0]?.settleUnowned();
        const end = await snapshot();
        expect([...end.values()].filter((row) => row.actualState !== "stopped")).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
