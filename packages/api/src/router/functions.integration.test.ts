// functions.trigger hands code to an engine. The engines here are tiny fake HTTP servers
// registered in engine_instances; the engine's real /trigger is tested in the engine package.
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BROKEN_CODE, useTestApi } from "../../test/db";
import { testAdmin } from "../../test/principals";
import { createCaller } from "../index";

const t = useTestApi();

interface FakeEngine {
  url: string;
  requests: { method: string; path: string; body: unknown }[];
  close(): Promise<void>;
}

const servers: Server[] = [];

async function fakeEngine(
  answer: (body: unknown) => { status: number; body: unknown } | "hang",
): Promise<FakeEngine> {
  const requests: FakeEngine["requests"] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
      requests.push({ method: req.method ?? "", path: req.url ?? "", body });
      const reply = answer(body);
      if (reply === "hang") return;
      res.writeHead(reply.status, { "content-type": "application/json" });
      res.end(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

async function register(id: string, url: string, heartbeatAgoMs = 0): Promise<void> {
  await t.db.engineInstance.create({
    data: { id, ingestUrl: url, heartbeatAt: new Date(Date.now() - heartbeatAgoMs) },
  });
}

const okAnswer = {
  ok: true,
  results: [{ outputs: { out: [{ key: null, value: 2, headers: {}, timestamp: 1 }] }, error: null }],
  logs: [{ level: "info", message: "hello" }],
  state: {},
  metrics: { counters: { seen: 1 }, histograms: {} },
  timing: { instanceMs: 1, processMs: 2, perRecordUs: 2000 },
};

const trigger = { code: "export default (r) => ({ value: r.value * 2 })", records: [{ value: 1 }] };

beforeEach(async () => {
  await t.db.engineInstance.deleteMany();
});

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }
});

describe("functions.trigger", () => {
  it("posts the request to the live engine that reported last and returns its answer as is", async () => {
    const stale = await fakeEngine(() => ({
      status: 200,
      body: { ok: true, results: [], logs: [], timing: {} },
    }));
    const older = await fakeEngine(() => ({
      status: 200,
      body: { ok: true, results: [], logs: [], timing: {} },
    }));
    const latest = await fakeEngine(() => ({ status: 200, body: okAnswer }));
    await register("stale", stale.url, 60_000);
    await register("older", older.url, 5_000);
    await register("latest", `${latest.url}/`, 100);

    const input = {
      ...trigger,
      language: "javascript" as const,
      runtime: "js" as const,
      params: { factor: 2 },
      ports: ["out", "errors"],
      secrets: ["API_KEY"],
      timeoutMs: 500,
      memoryLimitMb: 32,
      records: [{ value: { n: 1 }, key: "k", headers: { h: "v" }, timestamp: 5 }, { value: "two" }],
    };
    expect(await t.api.functions.trigger(input)).toEqual(okAnswer);
    expect(latest.requests).toEqual([{ method: "POST", path: "/trigger", body: input }]);
    expect(stale.requests).toEqual([]);
    expect(older.requests).toEqual([]);
  });

  it("passes on an engine's ok: false answer", async () => {
    const answer = { ok: false, problems: [{ message: "nope", line: 1, column: 2 }], logs: [] };
    const engine = await fakeEngine(() => ({ status: 200, body: answer }));
    await register("e", engine.url);
    expect(await t.api.functions.trigger(trigger)).toEqual(answer);
  });

  it("returns compile problems without calling an engine, or needing one", async () => {
    const engine = await fakeEngine(() => ({ status: 200, body: okAnswer }));
    await register("e", engine.url);
    expect(await t.api.functions.trigger({ ...trigger, code: BROKEN_CODE })).toEqual({
      ok: false,
      problems: [{ message: "Expression expected.", line: 2, column: 13 }],
      logs: [],
    });
    await t.db.engineInstance.deleteMany();
    expect(
      await t.api.functions.trigger({ ...trigger, code: "const x: number = 1", language: "javascript" }),
    ).toMatchObject({ ok: false, problems: [{ line: 1 }] });
    expect(engine.requests).toEqual([]);
  });

  it("fails with PRECONDITION_FAILED when no engine is running", async () => {
    const engine = await fakeEngine(() => ({ status: 200, body: okAnswer }));
    await register("dead", engine.url, 16_000);
    await expect(t.api.functions.trigger(trigger)).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "no engine is running: start one with npm start",
    });
    expect(engine.requests).toEqual([]);
  });

  it("hands on the engine's error, and names an engine that is unreachable, slow or incoherent", async () => {
    const refusing = await fakeEngine(() => ({ status: 400, body: { error: "secret API_KEY is not set" } }));
    await register("refusing", refusing.url);
    await expect(t.api.functions.trigger({ ...trigger, secrets: ["API_KEY"] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "engine refusing: secret API_KEY is not set",
    });

    await t.db.engineInstance.deleteMany();
    const crashing = await fakeEngine(() => ({ status: 500, body: "<html>oops</html>" }));
    await register("crashing", crashing.url);
    await expect(t.api.functions.trigger(trigger)).rejects.toMatchObject({
      code: "BAD_GATEWAY",
      message: "engine crashing: HTTP 500",
    });

    await t.db.engineInstance.deleteMany();
    const confused = await fakeEngine(() => ({ status: 200, body: { hello: "world" } }));
    await register("confused", confused.url);
    await expect(t.api.functions.trigger(trigger)).rejects.toMatchObject({ code: "BAD_GATEWAY" });

    await t.db.engineInstance.deleteMany();
    const gone = await fakeEngine(() => ({ status: 200, body: okAnswer }));
    await gone.close();
    await register("gone", gone.url);
    await expect(t.api.functions.trigger(trigger)).rejects.toMatchObject({
      code: "BAD_GATEWAY",
      message: `engine gone at ${gone.url} is not reachable (ECONNREFUSED)`,
    });

    await t.db.engineInstance.deleteMany();
    const slow = await fakeEngine(() => "hang");
    await register("slow", slow.url);
    const impatient = createCaller({ principal: testAdmin, db: t.db, engineTimeoutMs: 200 });
    await expect(impatient.functions.trigger(trigger)).rejects.toMatchObject({
      code: "GATEWAY_TIMEOUT",
      message: "engine slow did not answer within 200 ms",
    });
  });

  it("refuses malformed requests before choosing an engine", async () => {
    const bad = [
      { ...trigger, records: [] },
      { ...trigger, records: Array.from({ length: 1001 }, () => ({ value: 1 })) },
      { ...trigger, records: [{ key: "no value" }] },
      { ...trigger, code: "   " },
      { ...trigger, secrets: ["not-a-name"] },
      { ...trigger, timeoutMs: 0 },
      { ...trigger, memoryLimitMb: 100_000 },
      { ...trigger, language: "python", runtime: "js" },
      { ...trigger, runtime: "python", language: "typescript" },
      { ...trigger, ports: ["bad port"] },
    ];
    for (const input of bad) {
      await expect(t.api.functions.trigger(input as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    // Either one alone says Python: the request is good (its Python parses), and only the missing
    // engine stops it.
    const python = { code: "def handle(record, ctx):\n    return record\n" };
    for (const alone of [{ language: "python" }, { runtime: "python" }]) {
      await expect(
        t.api.functions.trigger({ ...trigger, ...python, ...alone } as never),
      ).rejects.toMatchObject({
        code: "PRECONDITION_FAILED",
      });
    }
  });
});
