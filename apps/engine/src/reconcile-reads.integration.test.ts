// While notifications reach it, an engine reads the deployments in full only every few polls (see
// LISTENING_POLLS_PER_READ in engine.ts). What no notification announces must still reach it: a
// lease that lapsed on an engine that went away is taken over, and a deployment another engine
// took is stopped here.
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();
const ENGINE_ID = "reads-engine";
/** Far less than the test waits for, far more than four polls of 200 ms. */
const WAIT_MS = 15_000;
let engine: EngineProcess;

beforeAll(async () => {
  // Leases of two minutes are extended every 40 s: within the test only the full reads can see
  // what changed.
  engine = await startEngine(t.url, {
    WEIR_ENGINE_ID: ENGINE_ID,
    WEIR_RECONCILE_MS: "200",
    WEIR_LEASE_MS: "120000",
  });
});
afterAll(async () => {
  await engine.stop();
});

async function flowVersion(name: string): Promise<{ flowId: string; flowVersionId: string }> {
  const flow = await t.api.flow.create({
    name,
    nodes: [
      { id: "gen", kind: "source", type: "generator", config: { intervalMs: 100 } },
      { id: "out", kind: "sink", type: "log" },
    ],
    edges: [{ id: "e1", from: { node: "gen", port: "out" }, to: { node: "out" } }],
  });
  const version = await t.db.flowVersion.findFirstOrThrow({ where: { flowId: flow.id } });
  return { flowId: flow.id, flowVersionId: version.id };
}

it("takes over a deployment whose engine's lease lapsed, with no notification of it", async () => {
  expect(engine.output()).not.toContain("listening for deployments failed");
  const leaseEnds = Date.now() + 2_000;
  // Inserted as if running on an engine that is about to go away: the insert notifies, but the
  // lease is still held then; its lapse two seconds later notifies nobody.
  const deployment = await t.db.deployment.create({
    data: {
      ...(await flowVersion("lapsed")),
      desiredState: "running",
      actualState: "running",
      engineId: "gone-engine",
      leaseExpiresAt: new Date(leaseEnds),
    },
  });
  const taken = await eventually(
    async () => {
      const row = await t.db.deployment.findUniqueOrThrow({ where: { id: deployment.id } });
      return row.engineId === ENGINE_ID && row.actualState === "running" ? Date.now() : undefined;
    },
    "the lapsed deployment to run on this engine",
    WAIT_MS,
  );
  expect(taken).toBeGreaterThanOrEqual(leaseEnds);
});

it("stops a deployment another engine took, with no notification of it", async () => {
  const { flowId } = await flowVersion("taken");
  const { id } = await t.api.deployment.deploy({ flowId });
  await eventually(
    async () => ((await t.api.deployment.status({ flowId }))?.actualState === "running" ? true : undefined),
    "the deployment to run here",
    WAIT_MS,
  );
  // An engine's first extension comes one poll after its first claim; the next is 40 s later,
  // past the test. A second is plenty for the first, so what comes after only a full read sees.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  // Not its desired state: the trigger does not notify this.
  await t.db.deployment.update({
    where: { id },
    data: { engineId: "other-engine", leaseExpiresAt: new Date(Date.now() + 3_600_000) },
  });
  await eventually(
    () =>
      Promise.resolve(engine.output().includes(`deployment ${id.slice(0, 8)}] stopped`) ? true : undefined),
    "this engine to stop the deployment it no longer holds",
    WAIT_MS,
  );
});
