// A deploy and a stop reach the engine through Postgres' NOTIFY, not its poll: with the poll set to
// ten minutes, the engine still starts a deployment and stops it within seconds of the API's
// change. (How much sooner than the poll: `npm run bench:deploy`.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();
let engine: EngineProcess;

/** Far longer than the test waits: anything that happens in time was woken by a notification. */
const POLL_MS = 600_000;
const WAIT_MS = 15_000;

beforeAll(async () => {
  engine = await startEngine(t.url, { WEIR_RECONCILE_MS: String(POLL_MS), WEIR_LEASE_MS: "1200000" });
});
afterAll(async () => {
  await engine.stop();
});

describe("deployment signals (LISTEN/NOTIFY)", () => {
  it("starts and stops a deployment without waiting for the poll", async () => {
    const flow = await t.api.flow.create({
      name: "woken",
      nodes: [
        { id: "gen", kind: "source", type: "generator", config: { intervalMs: 10, count: 5 } },
        { id: "fn", kind: "function", type: "function", config: { code: "export default (r) => r" } },
        { id: "out", kind: "sink", type: "log" },
      ],
      edges: [
        { id: "e1", from: { node: "gen", port: "out" }, to: { node: "fn" } },
        { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
      ],
    });
    await t.api.deployment.deploy({ flowId: flow.id });
    await eventually(
      async () =>
        (await t.api.deployment.status({ flowId: flow.id }))?.actualState === "running" ? true : undefined,
      "running without a poll",
      WAIT_MS,
    );
    await t.api.deployment.stop({ flowId: flow.id });
    await eventually(
      async () =>
        (await t.api.deployment.status({ flowId: flow.id }))?.actualState === "stopped" ? true : undefined,
      "stopped without a poll",
      WAIT_MS,
    );
    expect(engine.output()).not.toContain("listening for deployments failed");
  });
});
