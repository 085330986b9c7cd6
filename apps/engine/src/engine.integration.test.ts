import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
import { expectFlowAccounted } from "../test/accounting";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();
let engine: EngineProcess;

beforeAll(async () => {
  // The webhook test's receiver listens on loopback, which the outbound policy refuses by default.
  engine = await startEngine(t.url, { WEIR_OUTBOUND_ALLOW: "127.0.0.1" });
});
afterAll(async () => {
  await engine.stop();
});

function pipeline(name: string, code: string, generator: Record<string, unknown>): FlowSpecInput {
  return {
    name,
    nodes: [
      { id: "gen", kind: "source", type: "generator", config: generator },
      { id: "fn", kind: "function", type: "function", config: { code } },
      { id: "out", kind: "sink", type: "log", config: { keep: 1000 } },
    ],
    edges: [
      { id: "e1", from: { node: "gen", port: "out" }, to: { node: "fn" } },
      { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
    ],
  };
}

async function statsOf(
  flowId: string,
): Promise<
  Record<string, { recordsIn: number; recordsOut: number; errors: number; lastError: string | null }>
> {
  const stats = await t.api.stats.get({ flowId });
  return Object.fromEntries(stats.nodes.map((n) => [n.nodeId, n]));
}

describe("engine", () => {
  it("deploys generator → js → log, counts stats, serves the log and stops", async () => {
    const flow = await t.api.flow.create(
      pipeline("round trip", "export default (r) => ({ value: { doubled: r.value.seq * 2 } })", {
        intervalMs: 0,
        count: 500,
      }),
    );
    await t.api.deployment.deploy({ flowId: flow.id });
    await eventually(
      async () =>
        (await t.api.deployment.status({ flowId: flow.id }))?.actualState === "running" ? true : undefined,
      "running",
    );

    const stats = await eventually(async () => {
      const s = await statsOf(flow.id);
      return s.out?.recordsIn === 500 ? s : undefined;
    }, "500 records at the sink");
    expect(stats.gen).toMatchObject({ recordsOut: 500, errors: 0 });
    expect(stats.fn).toMatchObject({ recordsIn: 500, recordsOut: 500, errors: 0 });
    expect(stats.out).toMatchObject({ recordsIn: 500, recordsOut: 500 });

    const entries = await eventually(async () => {
      const rows = await t.api.logs.read({ flowId: flow.id, nodeId: "out", limit: 1000 });
      return rows.length === 500 ? rows : undefined;
    }, "500 log entries");
    // Delivered in order along each edge: the log shows 0, 2, 4, …
    expect(entries.map((e) => (e.record as { value: { doubled: number } }).value.doubled)).toEqual(
      [...Array(500).keys()].map((i) => i * 2),
    );

    const stopped = await t.api.deployment.stop({ flowId: flow.id });
    expect(stopped?.desiredState).toBe("stopped");
    const final = await eventually(async () => {
      const s = await t.api.deployment.status({ flowId: flow.id });
      return s?.actualState === "stopped" ? s : undefined;
    }, "stopped");
    expect(final.error).toBeNull();
    await expectFlowAccounted(t, flow.id, pipeline("", "", {}));
  });

  it("counts a throwing handler as errors, dead-letters those records and keeps serving", async () => {
    const code = `export default (r) => {
  if (r.value.seq % 4 === 0) throw new Error("bad seq " + r.value.seq);
  return r;
}`;
    const flow = await t.api.flow.create(pipeline("throws", code, { intervalMs: 0, count: 100 }));
    await t.api.deployment.deploy({ flowId: flow.id });
    const stats = await eventually(async () => {
      const s = await statsOf(flow.id);
      return s.out?.recordsIn === 75 && s.fn?.errors === 25 ? s : undefined;
    }, "75 delivered and 25 errors");
    expect(stats.fn?.lastError).toMatch(/^bad seq \d+ \(line 2\)$/);

    const deadLetters = await eventually(async () => {
      const rows = await t.api.deadLetters.list({ flowId: flow.id, limit: 100 });
      return rows.length === 25 ? rows : undefined;
    }, "25 dead letters");
    // Each failing record is tried maxAttempts (default 3) times before it is dead-lettered.
    expect(deadLetters[0]).toMatchObject({ nodeId: "fn", attempts: 3 });
    const accounted = await expectFlowAccounted(t, flow.id, pipeline("", "", {}));
    expect(accounted.find((node) => node.nodeId === "fn")?.accounting).toEqual({
      completed: 75,
      deadLettered: 25,
      inFlight: 0,
    });

    // The engine is still alive and serves another flow.
    const next = await t.api.flow.create(
      pipeline("after", "export default (r) => r", { intervalMs: 0, count: 10 }),
    );
    await t.api.deployment.deploy({ flowId: next.id });
    await eventually(
      async () => ((await statsOf(next.id)).out?.recordsIn === 10 ? true : undefined),
      "next flow runs",
    );
    await t.api.deployment.stop({ flowId: flow.id });
    await t.api.deployment.stop({ flowId: next.id });
  });

  it("refuses to save code that does not compile, with its line and column", async () => {
    const error = await t.api.flow
      .create(pipeline("broken", "export default (r) => {\n  return r +;\n}", { count: 1 }))
      .catch((e: unknown) => e);
    expect(String(error)).toContain("nodes[1].config.code: line 2, column 13: Expression expected.");
  });

  it("marks a deployment failed with init's error when init throws", async () => {
    const code =
      "export async function init() {\n  throw new Error('cannot load the model');\n}\nexport default (r) => r;";
    const flow = await t.api.flow.create(pipeline("failing init", code, { count: 1 }));
    await t.api.deployment.deploy({ flowId: flow.id });
    const status = await eventually(async () => {
      const s = await t.api.deployment.status({ flowId: flow.id });
      return s?.actualState === "failed" ? s : undefined;
    }, "failed");
    expect(status.error).toContain("node 'fn'");
    expect(status.error).toContain("cannot load the model");
  });

  it("accepts records through HTTP ingest and delivers them to a webhook", async () => {
    const received: unknown[] = [];
    const hook = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        received.push(JSON.parse(body));
        res.end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;

    const flow = await t.api.flow.create({
      name: "ingest",
      nodes: [
        { id: "in", kind: "source", type: "http-ingest", config: { public: true } },
        {
          id: "fn",
          kind: "function",
          type: "function",
          config: { code: "export default (r) => ({ value: { got: r.value } })" },
        },
        { id: "hook", kind: "sink", type: "webhook", config: { url: hookUrl } },
      ],
      edges: [
        { id: "e1", from: { node: "in", port: "out" }, to: { node: "fn" } },
        { id: "e2", from: { node: "fn", port: "out" }, to: { node: "hook" } },
      ],
    });
    await t.api.deployment.deploy({ flowId: flow.id });
    await eventually(
      async () =>
        (await t.api.deployment.status({ flowId: flow.id }))?.actualState === "running" ? true : undefined,
      "running",
    );
    const [instance] = await t.api.engine.list();
    const url = `${instance?.ingestUrl ?? ""}/ingest/${flow.id}/in`;

    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([1, 2, 3]),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 3 });
    const bad = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("not valid JSON");

    await eventually(() => Promise.resolve(received.length === 3 ? true : undefined), "3 webhook calls");
    expect(received.map((r) => (r as { value: unknown }).value)).toEqual([
      { got: 1 },
      { got: 2 },
      { got: 3 },
    ]);
    await t.api.deployment.stop({ flowId: flow.id });
    hook.close();
  });
});
