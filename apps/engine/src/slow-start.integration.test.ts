// A deployment whose start takes longer than a lease (here a function whose init() takes 6 s: a
// model to load, say) must not hold the engine's loop.
// While it starts, the engine keeps renewing the leases of what it runs (its own included), keeps
// its heartbeat and keeps writing stats. Before, the loop awaited every start it claimed: no
// lease was renewed meanwhile, so another engine could take over the flows it was running.
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();
const LEASE_MS = 3_000;
/** How long the slow flow's init() runs: twice the lease. */
const INIT_MS = 6_000;
let engine: EngineProcess;

beforeAll(async () => {
  engine = await startEngine(t.url, { WEIR_LEASE_MS: String(LEASE_MS) });
}, 120_000);
afterAll(async () => {
  await engine.stop();
});

interface Sample {
  at: number;
  /** The running flow's lease, ms from now (negative: lapsed). */
  runningLeaseLeft: number;
  /** The starting flow's lease, ms from now. */
  startingLeaseLeft: number | undefined;
  heartbeatAge: number;
}

it("keeps renewing leases, its heartbeat and stats while a deployment takes longer than a lease to start", async () => {
  const running = await t.api.flow.create({
    name: "steady",
    nodes: [
      { id: "gen", kind: "source", type: "generator", config: { intervalMs: 100 } },
      { id: "out", kind: "sink", type: "log" },
    ],
    edges: [{ id: "e1", from: { node: "gen", port: "out" }, to: { node: "out" } }],
  });
  const steady = await t.api.deployment.deploy({ flowId: running.id });
  await eventually(
    async () =>
      (await t.db.deployment.findUnique({ where: { id: steady.id } }))?.actualState === "running"
        ? true
        : undefined,
    "the steady flow running",
    30_000,
  );

  const slowFlow = await t.api.flow.create({
    name: "slow to start",
    nodes: [
      { id: "gen", kind: "source", type: "generator", config: { intervalMs: 100 } },
      {
        id: "fn",
        kind: "function",
        type: "function",
        config: {
          timeoutMs: 20_000,
          code: [
            "export function init() {",
            `  const until = Date.now() + ${String(INIT_MS)};`,
            "  while (Date.now() < until) { /* loading */ }",
            "}",
            "export default (r) => r;",
          ].join("\n"),
        },
      },
      { id: "out", kind: "sink", type: "log" },
    ],
    edges: [
      { id: "e1", from: { node: "gen", port: "out" }, to: { node: "fn" } },
      { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
    ],
  });
  const slow = await t.api.deployment.deploy({ flowId: slowFlow.id });
  const statsBefore = await t.db.nodeStats.findFirst({ where: { deploymentId: steady.id, nodeId: "out" } });

  // Sampled from its claim until it runs.
  const samples: Sample[] = [];
  const deadline = Date.now() + 90_000;
  for (;;) {
    const [steadyRow, slowRow, engineRow] = await Promise.all([
      t.db.deployment.findUniqueOrThrow({ where: { id: steady.id } }),
      t.db.deployment.findUniqueOrThrow({ where: { id: slow.id } }),
      t.db.engineInstance.findFirstOrThrow(),
    ]);
    const now = Date.now();
    if (slowRow.actualState === "starting") {
      samples.push({
        at: now,
        runningLeaseLeft: (steadyRow.leaseExpiresAt?.getTime() ?? 0) - now,
        startingLeaseLeft: slowRow.leaseExpiresAt ? slowRow.leaseExpiresAt.getTime() - now : undefined,
        heartbeatAge: now - engineRow.heartbeatAt.getTime(),
      });
    } else if (samples.length > 0) break;
    if (now > deadline) throw new Error(`the slow deployment is still ${slowRow.actualState} after 90 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const startMs = (samples.at(-1)?.at ?? 0) - (samples[0]?.at ?? 0);
  const worst = {
    runningLeaseLeft: Math.min(...samples.map((s) => s.runningLeaseLeft)),
    startingLeaseLeft: Math.min(...samples.map((s) => s.startingLeaseLeft ?? -1)),
    heartbeatAge: Math.max(...samples.map((s) => s.heartbeatAge)),
  };
  const statsAfter = await t.db.nodeStats.findFirst({ where: { deploymentId: steady.id, nodeId: "out" } });
  console.log(
    `slow start: ${String(startMs)} ms starting (lease ${String(LEASE_MS)} ms), ${String(samples.length)} samples; ` +
      `least lease left: running flow ${String(worst.runningLeaseLeft)} ms, starting flow ${String(worst.startingLeaseLeft)} ms; ` +
      `oldest heartbeat ${String(worst.heartbeatAge)} ms`,
  );
  // Otherwise this proves nothing: the start must outlast a lease.
  expect(startMs).toBeGreaterThan(LEASE_MS);
  expect(worst.runningLeaseLeft).toBeGreaterThan(0);
  expect(worst.startingLeaseLeft).toBeGreaterThan(0);
  // The engine writes its heartbeat every few seconds; the API counts it dead after 15 s.
  expect(worst.heartbeatAge).toBeLessThan(10_000);
  // The steady flow's stats kept being written while the other one started.
  expect(statsAfter?.updatedAt.getTime() ?? 0).toBeGreaterThan(statsBefore?.updatedAt.getTime() ?? 0);
  expect(statsAfter?.recordsIn ?? 0n).toBeGreaterThan(statsBefore?.recordsIn ?? 0n);
  // Nobody else runs here, so the steady flow stayed on this engine throughout.
  const steadyRow = await t.db.deployment.findUniqueOrThrow({ where: { id: steady.id } });
  expect(steadyRow.actualState).toBe("running");
  const slowRow = await t.db.deployment.findUniqueOrThrow({ where: { id: slow.id } });
  expect(slowRow.actualState).toBe("running");
}, 150_000);
