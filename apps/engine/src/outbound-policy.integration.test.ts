// Regression, issue 10 finding 5: a webhook sink could reach cloud metadata addresses and the
// engine's own ingest (delivering records into another flow). Now both are refused and the
// records dead-lettered with the reason, even on an engine whose allowlist admits loopback.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();
let engine: EngineProcess;

beforeAll(async () => {
  // Loopback allowed as a range, which must still not open the engine's own ingest port.
  engine = await startEngine(t.url, { WEIR_OUTBOUND_ALLOW: "127.0.0.0/8" });
});
afterAll(async () => {
  await engine.stop();
});

describe("outbound policy in the engine", () => {
  it("dead-letters webhooks to metadata addresses and to the engine's own ingest, and delivers nothing", async () => {
    const victim = await t.api.flow.create({
      name: "victim",
      nodes: [
        { id: "in", kind: "source", type: "http-ingest", config: { public: true } },
        { id: "out", kind: "sink", type: "log", config: { keep: 100 } },
      ],
      edges: [{ id: "e", from: { node: "in", port: "out" }, to: { node: "out" } }],
    });
    await t.api.deployment.deploy({ flowId: victim.id });
    await eventually(
      async () =>
        (await t.api.deployment.status({ flowId: victim.id }))?.actualState === "running" ? true : undefined,
      "victim running",
    );
    const [instance] = await t.api.engine.list();
    const ingest = `${instance?.ingestUrl ?? ""}/ingest/${victim.id}/in`;
    // The victim's ingest works when called directly, so a refusal below is the policy's doing.
    const direct = await fetch(ingest, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ direct: true }),
    });
    expect(direct.status).toBe(200);

    const targets = {
      self: ingest,
      metadata: "http://169.254.169.254/latest/meta-data/",
      decimal: "http://2852039166/",
      v6: "http://[fd00:ec2::254]/",
    };
    const hooks = Object.entries(targets).map(([id, url]) => ({
      id,
      kind: "sink" as const,
      type: "webhook",
      config: { url, backoffMs: 1 },
    }));
    const attacker = await t.api.flow.create({
      name: "attacker",
      nodes: [
        { id: "gen", kind: "source", type: "generator", config: { intervalMs: 0, count: 1 } },
        ...hooks,
      ],
      edges: hooks.map((hook) => ({
        id: `to-${hook.id}`,
        from: { node: "gen", port: "out" },
        to: { node: hook.id },
      })),
    });
    await t.api.deployment.deploy({ flowId: attacker.id });
    const deadLetters = await eventually(async () => {
      const rows = await t.api.deadLetters.list({ flowId: attacker.id, limit: 100 });
      return rows.length === hooks.length ? rows : undefined;
    }, `${hooks.length} dead letters`);
    const reasons = Object.fromEntries(deadLetters.map((row) => [row.nodeId, row.error]));
    expect(reasons.self).toContain("is this engine's own ingest; allow it with WEIR_OUTBOUND_ALLOW=<host>:");
    expect(reasons.metadata).toContain(
      "webhook target 169.254.169.254 is a link-local/metadata address; allow it with WEIR_OUTBOUND_ALLOW",
    );
    expect(reasons.decimal).toContain("169.254.169.254 is a link-local/metadata address");
    expect(reasons.v6).toContain("fd00:ec2::254 is a link-local/metadata address");
    // Refused at once, not retried.
    expect(deadLetters.every((row) => row.attempts === 1)).toBe(true);

    const victimLog = await t.api.logs.read({ flowId: victim.id, nodeId: "out", limit: 100 });
    expect(victimLog.map((row) => (row.record as { value: unknown }).value)).toEqual([{ direct: true }]);
    await t.api.deployment.stop({ flowId: attacker.id });
    await t.api.deployment.stop({ flowId: victim.id });
  });
});
