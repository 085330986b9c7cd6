// The API's calls to an engine (issue 10, finding 4): an engine that refuses a request and
// closes the connection must not leave a half-read socket that the next call picks up.
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { postToEngine } from "./engine-client";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => {
            resolve();
          });
        }),
    ),
  );
});

/** A fake engine: 413 without reading the body for anything over `limit` bytes, else 200. */
async function fakeEngine(limit: number): Promise<{ url: string; sockets: Set<unknown> }> {
  const sockets = new Set<unknown>();
  const server = createServer((req, res) => {
    sockets.add(req.socket);
    if (Number(req.headers["content-length"]) > limit) {
      res.statusCode = 413;
      res.end(JSON.stringify({ error: `body larger than ${limit} bytes` }));
      return;
    }
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ ok: true }));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
}

describe("postToEngine", () => {
  it("passes the engine's 413 reason on and answers the next call on a fresh connection", async () => {
    const engine = await fakeEngine(1000);
    const target = { id: "e1", ingestUrl: engine.url };
    await expect(postToEngine(target, "/trigger", { code: "x".repeat(100_000) }, 5000)).rejects.toMatchObject(
      {
        code: "PAYLOAD_TOO_LARGE",
        message: "engine e1: body larger than 1000 bytes",
      },
    );
    for (let i = 0; i < 3; i++) {
      await expect(postToEngine(target, "/trigger", { code: "ok" }, 5000)).resolves.toEqual({ ok: true });
    }
    // One connection per call: none is ever reused after the engine refused a body unread.
    expect(engine.sockets.size).toBe(4);
  });

  it("shows the internal key on every call, and reads the engine's 401/403 as the installation's problem", async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      const key = req.headers["x-weir-internal-key"];
      seen.push(Array.isArray(key) ? key[0] : key);
      req.resume();
      req.on("end", () => {
        res.statusCode = key === "the-right-internal-key" ? 200 : key === undefined ? 401 : 403;
        res.end(JSON.stringify(res.statusCode === 200 ? { ok: true } : { error: "refused" }));
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const ingestUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const call = (internalKey: string | undefined) =>
      postToEngine({ id: "e2", ingestUrl, internalKey }, "/trigger", {}, 5000);
    await expect(call("the-right-internal-key")).resolves.toEqual({ ok: true });
    await expect(call("another-key")).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    await expect(call(undefined)).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    expect(seen).toEqual(["the-right-internal-key", "another-key", undefined]);
  });
});
