// An engine claims a few deployments per read (CLAIMS_PER_READ in reconciler.ts). One that finds
// more waiting than that (an engine starting where many flows are deployed, or taking over a
// dead engine's) reads again right away, not only at the next of its every-few-polls full
// reads: 1,000 deployed flows took over ten minutes to start on one engine before.
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();
const FLOWS = 25;
/**
 * Polls of 2 s and leases of two minutes (extended every 40 s, the first one poll after the first
 * claim): with a full read every fourth poll, the 25 deployments (three claims of 10) take until
 * the read 8 s after that extension, 10 s after the first claim; read again while claims come
 * back full, they are claimed at once.
 */
const RECONCILE_MS = 2_000;
let engine: EngineProcess;

beforeAll(async () => {
  // Deployed while no engine runs, so no notification tells the engine about any of them.
  for (let i = 0; i < FLOWS; i++) {
    const flow = await t.api.flow.create({
      name: `backlog ${String(i)}`,
      nodes: [
        { id: "gen", kind: "source", type: "generator", config: { intervalMs: 1000 } },
        { id: "out", kind: "sink", type: "log" },
      ],
      edges: [{ id: "e1", from: { node: "gen", port: "out" }, to: { node: "out" } }],
    });
    await t.api.deployment.deploy({ flowId: flow.id });
  }
  engine = await startEngine(t.url, { WEIR_RECONCILE_MS: String(RECONCILE_MS), WEIR_LEASE_MS: "120000" });
}, 120_000);
afterAll(async () => {
  await engine.stop();
});

const runningCount = (): Promise<number> => t.db.deployment.count({ where: { actualState: "running" } });

it("claims the next deployments right away while claims come back full", async () => {
  const firstAt = await eventually(
    async () => ((await runningCount()) > 0 ? Date.now() : undefined),
    "the first deployment to run",
    60_000,
  );
  const allAt = await eventually(
    async () => ((await runningCount()) === FLOWS ? Date.now() : undefined),
    `all ${String(FLOWS)} deployments to run`,
    60_000,
  );
  const seconds = (allAt - firstAt) / 1000;
  process.stdout.write(`${String(FLOWS)} deployments running ${seconds.toFixed(1)} s after the first\n`);
  // Three reads in a row and the starts; waiting for the full reads would be 10 s.
  expect(seconds).toBeLessThan(5);
}, 150_000);
