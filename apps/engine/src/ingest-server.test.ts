// The engine's HTTP server on loopback, without a database: what it refuses and that the
// connection stays usable afterwards. Regression tests for issue 10 finding 4.
import { request } from "node:http";
import { isByteBody } from "@weir/connectors";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "./logger";
import { configureHttpPolicy } from "./http-guard";
import { IngestServer, TRIGGER_MAX_BODY } from "./ingest-server";

let server: IngestServer;
let base: string;
let port: number;
const ingested: unknown[] = [];
const INTERNAL_KEY = "internal-key-for-this-test-0123";
let lockedToken = "wit_the-locked-nodes-token";

beforeAll(async () => {
  server = new IngestServer(
    createLogger("test", { quiet: true }),
    new Map(),
    () => Promise.resolve({}),
    () => Promise.reject(new Error("no artifacts here")),
    {
      internalKey: INTERNAL_KEY,
      ingestToken: (flowId, nodeId) =>
        flowId === "flow" && nodeId === "locked"
          ? Promise.resolve(lockedToken)
          : Promise.reject(new Error("no key to open tokens")),
    },
  );
  port = await server.listen(0, "127.0.0.1");
  base = `http://127.0.0.1:${port}`;
  server.register(
    "flow",
    "in",
    (body) => {
      ingested.push(body);
      return Promise.resolve({ accepted: 1 });
    },
    { maxBodyBytes: 1024, public: true },
  );
  server.register(
    "flow",
    "bytes",
    async (body) => {
      // Reads the byte stream to its end, counting its bytes (the source would emit chunks).
      let size = 0;
      if (!isByteBody(body)) throw new Error("expected a byte body");
      for await (const chunk of body.chunks) size += chunk.byteLength;
      return { accepted: size };
    },
    // A limit far below the body: a byte stream is not a JSON body, and is never held whole.
    { maxBodyBytes: 1024, public: true },
  );
  for (const nodeId of ["locked", "unreadable"]) {
    server.register(
      "flow",
      nodeId,
      (body) => {
        ingested.push(body);
        return Promise.resolve({ accepted: 1 });
      },
      { maxBodyBytes: 1024 },
    );
  }
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  configureHttpPolicy(undefined);
});

const json = { "content-type": "application/json" };
const trigger = { ...json, "x-weir-internal-key": INTERNAL_KEY };
const validTrigger = JSON.stringify({ code: "export default (r) => r", records: [{ value: 1 }] });

/** A raw request, so Host and Origin can be set as a browser or an attacker would. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body = "",
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers, agent: false }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("engine HTTP server", () => {
  it("answers an oversized /trigger body with the limit, and the next call on the same client works", async () => {
    const big = await fetch(`${base}/trigger`, {
      method: "POST",
      headers: trigger,
      body: JSON.stringify({ code: "x".repeat(TRIGGER_MAX_BODY), records: [{ value: 1 }] }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: `body larger than ${TRIGGER_MAX_BODY} bytes` });
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const next = await fetch(`${base}/trigger`, { method: "POST", headers: trigger, body: validTrigger });
      // Answered by the engine (no runtime in this test server), not a reset socket.
      expect(next.status).toBe(400);
      expect(((await next.json()) as { error: string }).error).toContain("runtime 'js' is not available");
      expect(Date.now() - started).toBeLessThan(2000);
    }
  });

  it("answers an oversized ingest body with its limit and keeps serving", async () => {
    const big = await fetch(`${base}/ingest/flow/in`, {
      method: "POST",
      headers: json,
      body: JSON.stringify(["y".repeat(5000)]),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: "body larger than 1024 bytes" });
    const ok = await fetch(`${base}/ingest/flow/in`, { method: "POST", headers: json, body: "[1]" });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ accepted: 1 });
  });

  it("streams an application/octet-stream body of any size to http ingest, without its JSON limit", async () => {
    const body = new Uint8Array(5 * 1024 * 1024 + 3).fill(7);
    const answer = await fetch(`${base}/ingest/flow/bytes`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body,
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ accepted: body.length });
    // PUT is for http-request sources only.
    const put = await fetch(`${base}/ingest/flow/bytes`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream" },
      body: "x",
    });
    expect(put.status).toBe(405);
  });

  it("refuses text/plain and a missing content type on /trigger and ingest, saying why", async () => {
    const before = ingested.length;
    for (const path of ["/trigger", "/ingest/flow/in"]) {
      const key = { "x-weir-internal-key": INTERNAL_KEY };
      const plain = await raw("POST", path, { ...key, "content-type": "text/plain" }, validTrigger);
      expect(plain.status).toBe(415);
      expect(JSON.parse(plain.body)).toEqual({
        error: "content-type must be application/json (got text/plain)",
      });
      const none = await raw("POST", path, key, "[1]");
      expect(none.status).toBe(415);
    }
    expect(ingested.length).toBe(before);
    const charset = await raw(
      "POST",
      "/ingest/flow/in",
      { "content-type": "application/json; charset=utf-8" },
      "[2]",
    );
    expect(charset.status).toBe(200);
  });

  it("answers malformed JSON with a 400 and a reason", async () => {
    const bad = await fetch(`${base}/ingest/flow/in`, { method: "POST", headers: json, body: "{nope" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("not valid JSON");
  });

  it("answers only to its own host names (DNS rebinding)", async () => {
    const evil = await raw(
      "POST",
      "/trigger",
      { ...json, host: `rebind.attacker.example:${port}` },
      validTrigger,
    );
    expect(evil.status).toBe(421);
    expect(JSON.parse(evil.body)).toEqual({
      error: `host 'rebind.attacker.example:${port}' is not one this engine answers to; add it to WEIR_ALLOWED_HOSTS`,
    });
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, "LOCALHOST"]) {
      expect((await raw("GET", "/healthz", { host })).status, host).toBe(200);
    }
    configureHttpPolicy({ allowedHosts: ["engine.internal"], corsOrigins: [] });
    expect((await raw("GET", "/healthz", { host: `engine.internal:${port}` })).status).toBe(200);
    expect((await raw("GET", "/healthz", { host: `localhost:${port}` })).status).toBe(421);
  });

  it("sends no CORS headers and refuses foreign origins unless configured", async () => {
    const origin = "https://evil.example";
    const refused = await raw("POST", "/ingest/flow/in", { ...json, origin }, "[3]");
    expect(refused.status).toBe(403);
    expect(refused.headers["access-control-allow-origin"]).toBeUndefined();
    expect(JSON.parse(refused.body)).toEqual({
      error: `origin '${origin}' may not call the engine; allow it with WEIR_CORS_ORIGINS`,
    });
    const preflight = await raw("OPTIONS", "/trigger", { origin, "access-control-request-method": "POST" });
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();

    configureHttpPolicy({ allowedHosts: ["127.0.0.1"], corsOrigins: [origin] });
    const allowedPreflight = await raw("OPTIONS", "/trigger", {
      origin,
      "access-control-request-method": "POST",
    });
    expect(allowedPreflight.status).toBe(204);
    expect(allowedPreflight.headers["access-control-allow-origin"]).toBe(origin);
    const allowed = await raw("POST", "/ingest/flow/in", { ...json, origin }, "[3]");
    expect(allowed.status).toBe(200);
    expect(allowed.headers["access-control-allow-origin"]).toBe(origin);
  });

  it("runs /trigger only for the internal key: none 401, another 403, before reading the body", async () => {
    const none = await raw("POST", "/trigger", json, validTrigger);
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toBe('Bearer realm="weir engine"');
    expect(JSON.parse(none.body)).toEqual({
      error: "this endpoint needs the x-weir-internal-key header (the web app's WEIR_INTERNAL_KEY)",
    });
    for (const wrong of [INTERNAL_KEY.slice(0, -1), `${INTERNAL_KEY}x`, "x".repeat(INTERNAL_KEY.length)]) {
      const refused = await raw("POST", "/trigger", { ...json, "x-weir-internal-key": wrong }, validTrigger);
      expect(refused.status).toBe(403);
      expect(refused.body).not.toContain(INTERNAL_KEY);
    }
    const right = await raw("POST", "/trigger", trigger, validTrigger);
    expect(right.status).toBe(400);
    expect(right.body).toContain("runtime 'js' is not available");
  });

  it("feeds a node that is not public only with its ingest token, checked before the body", async () => {
    const before = ingested.length;
    const none = await raw("POST", "/ingest/flow/locked", json, "[1]");
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toEqual({
      error:
        "this node needs its ingest token: send Authorization: Bearer <token> (shown in the node's inspector), or make the node public",
    });
    const wrong = await raw(
      "POST",
      "/ingest/flow/locked",
      { ...json, authorization: "Bearer wit_guess" },
      "[1]",
    );
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toEqual({ error: "wrong ingest token for this node" });
    // The body is never read for a refused caller: an oversized one gets 401, not 413.
    const big = await raw("POST", "/ingest/flow/locked", json, JSON.stringify(["z".repeat(5000)]));
    expect(big.status).toBe(401);
    expect(ingested.length).toBe(before);

    const bearer = await raw(
      "POST",
      "/ingest/flow/locked",
      { ...json, authorization: `Bearer ${lockedToken}` },
      "[1]",
    );
    expect(bearer.status).toBe(200);
    const header = await raw(
      "POST",
      "/ingest/flow/locked",
      { ...json, "x-weir-ingest-token": lockedToken },
      "[2]",
    );
    expect(header.status).toBe(200);
    expect(ingested.slice(before)).toEqual([[1], [2]]);

    const old = lockedToken;
    lockedToken = "wit_rotated";
    const stale = await raw(
      "POST",
      "/ingest/flow/locked",
      { ...json, authorization: `Bearer ${old}` },
      "[3]",
    );
    expect(stale.status).toBe(401);
  });

  it("answers 503 when a node's token cannot be read (no WEIR_SECRET_KEY)", async () => {
    const refused = await raw(
      "POST",
      "/ingest/flow/unreadable",
      { ...json, authorization: "Bearer wit_any" },
      "[1]",
    );
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toEqual({
      error: "the node's ingest token cannot be read: the engine needs WEIR_SECRET_KEY",
    });
  });
});
