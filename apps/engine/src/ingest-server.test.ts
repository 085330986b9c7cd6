// The engine's HTTP server on loopback, without a database: what it refuses and that the
// connection stays usable afterwards. Regression tests for issue 10 finding 4.
import { request } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "./logger";
import { configureHttpPolicy } from "./http-guard";
import { IngestServer, TRIGGER_MAX_BODY } from "./ingest-server";

let server: IngestServer;
let base: string;
let port: number;
const ingested: unknown[] = [];

beforeAll(async () => {
  server = new IngestServer(
    createLogger("test", { quiet: true }),
    new Map(),
    () => Promise.resolve({}),
    () => Promise.reject(new Error("no artifacts here")),
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
    { maxBodyBytes: 1024 },
  );
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  configureHttpPolicy(undefined);
});

const json = { "content-type": "application/json" };
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
      headers: json,
      body: JSON.stringify({ code: "x".repeat(TRIGGER_MAX_BODY), records: [{ value: 1 }] }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: `body larger than ${TRIGGER_MAX_BODY} bytes` });
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const next = await fetch(`${base}/trigger`, { method: "POST", headers: json, body: validTrigger });
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

  it("refuses text/plain and a missing content type on /trigger and ingest, saying why", async () => {
    const before = ingested.length;
    for (const path of ["/trigger", "/ingest/flow/in"]) {
      const plain = await raw("POST", path, { "content-type": "text/plain" }, validTrigger);
      expect(plain.status).toBe(415);
      expect(JSON.parse(plain.body)).toEqual({
        error: "content-type must be application/json (got text/plain)",
      });
      const none = await raw("POST", path, {}, "[1]");
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
});
