// Who may call a real engine process (issue 13, item 4): ingest needs the node's token unless the
// node is public, a rotation retires the old token, /trigger needs WEIR_INTERNAL_KEY (which the
// API's engine client sends), and the engine will not start without that key.
import pg from "pg";
import { TEST_INTERNAL_KEY } from "@weir/testkit/test-keys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INGEST_TOKEN_TTL_MS, INTERNAL_KEY_HEADER } from "./endpoint-auth";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();
let engine: EngineProcess;
let base = "";
let flowId = "";

const json = { "content-type": "application/json" };

async function post(path: string, headers: Record<string, string>, body: unknown): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: { ...json, ...headers },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  const flow = await t.api.flow.create({
    name: "guarded ingest",
    nodes: [
      { id: "locked", kind: "source", type: "http-ingest" },
      { id: "open", kind: "source", type: "http-ingest", config: { public: true } },
      { id: "out", kind: "sink", type: "log" },
    ],
    edges: [
      { id: "e1", from: { node: "locked", port: "out" }, to: { node: "out" } },
      { id: "e2", from: { node: "open", port: "out" }, to: { node: "out" } },
    ],
  });
  flowId = flow.id;
  engine = await startEngine(t.url);
  await t.api.deployment.deploy({ flowId });
  await eventually(
    async () => ((await t.api.deployment.status({ flowId }))?.actualState === "running" ? true : undefined),
    "the deployment running",
  );
  const instance = await t.db.engineInstance.findFirstOrThrow();
  base = instance.ingestUrl;
});

afterAll(async () => {
  await engine.stop();
});

describe("engine endpoints, real engine process", () => {
  it("takes records for a node only with its token: none 401, wrong 401, right 200; a public node 200", async () => {
    const none = await post(`/ingest/${flowId}/locked`, {}, [{ n: 1 }]);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="weir engine"');
    const wrong = await post(`/ingest/${flowId}/locked`, { authorization: "Bearer wit_not-the-token" }, [
      { n: 2 },
    ]);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: "wrong ingest token for this node" });

    const { token, public: isPublic } = await t.api.ingest.token({ flowId, nodeId: "locked" });
    expect(isPublic).toBe(false);
    expect(token).toMatch(/^wit_[A-Za-z0-9_-]{43}$/);
    expect(await t.api.ingest.token({ flowId, nodeId: "locked" })).toMatchObject({ token });
    const right = await post(`/ingest/${flowId}/locked`, { authorization: `Bearer ${token}` }, [{ n: 3 }]);
    expect(right.status).toBe(200);
    expect(await right.json()).toEqual({ accepted: 1 });

    const open = await post(`/ingest/${flowId}/open`, {}, [{ n: 4 }, { n: 5 }]);
    expect(open.status).toBe(200);
    expect(await open.json()).toEqual({ accepted: 2 });
    expect((await t.api.ingest.token({ flowId, nodeId: "open" })).public).toBe(true);

    // Only the accepted records went through.
    const kept = await eventually(async () => {
      const rows = await t.api.logs.read({ flowId, nodeId: "out" });
      return rows.length === 3 ? rows : undefined;
    }, "3 records in the log sink");
    expect(JSON.stringify(kept)).not.toMatch(/"n":[12]\b/);

    // The tokens (the public node has one too, for when it stops being public) are stored sealed.
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    const rows = await client.query("SELECT row_to_json(t)::text AS row FROM ingest_tokens t");
    await client.end();
    expect(rows.rows.length).toBe(2);
    expect(JSON.stringify(rows.rows)).not.toContain(token.slice(4));
  });

  it("retires the old token on rotation (within the engine's token TTL) and takes the new one", async () => {
    const { token: old } = await t.api.ingest.token({ flowId, nodeId: "locked" });
    const { token: fresh } = await t.api.ingest.rotateToken({ flowId, nodeId: "locked" });
    expect(fresh).not.toBe(old);
    const rotatedAt = Date.now();
    await eventually(
      async () =>
        (await post(`/ingest/${flowId}/locked`, { authorization: `Bearer ${old}` }, [{ n: 6 }])).status ===
        401
          ? true
          : undefined,
      "the old token refused",
    );
    // Bound: the engine reads a token again after its TTL, plus a poll interval and a request.
    expect(Date.now() - rotatedAt).toBeLessThan(INGEST_TOKEN_TTL_MS + 2000);
    const taken = await post(`/ingest/${flowId}/locked`, { "x-weir-ingest-token": fresh }, [{ n: 7 }]);
    expect(taken.status).toBe(200);
  });

  it("refuses ingest.token for a node that is not http-ingest or a flow that does not exist", async () => {
    await expect(t.api.ingest.token({ flowId, nodeId: "out" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "node out is a log node, not http-ingest or http-request",
    });
    await expect(t.api.ingest.rotateToken({ flowId, nodeId: "missing" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(
      t.api.ingest.token({ flowId: "00000000-0000-4000-8000-000000000000", nodeId: "locked" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("runs /trigger only with the internal key: none 401, wrong 403; the API's client sends it", async () => {
    const body = { code: "export default (r) => ({ value: r.value * 2 })", records: [{ value: 21 }] };
    const none = await post("/trigger", {}, body);
    expect(none.status).toBe(401);
    const wrong = await post("/trigger", { [INTERNAL_KEY_HEADER]: `${TEST_INTERNAL_KEY}-not` }, body);
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).not.toContain(TEST_INTERNAL_KEY);
    const right = await post("/trigger", { [INTERNAL_KEY_HEADER]: TEST_INTERNAL_KEY }, body);
    expect(right.status).toBe(200);
    const result = await t.api.functions.trigger(body);
    expect(result).toMatchObject({ ok: true });
    expect(JSON.stringify(result)).toContain("42");
  });

  it("will not start without WEIR_INTERNAL_KEY", async () => {
    await expect(startEngine(t.url, { WEIR_INTERNAL_KEY: "" })).rejects.toThrow(
      /engine failed to start: invalid engine environment: WEIR_INTERNAL_KEY: WEIR_INTERNAL_KEY must be at least 16 characters/,
    );
  });
});
