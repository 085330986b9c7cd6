// Request/response flows on a real engine process: an http-request source keeps the POST open and
// the http-response sink streams back each record as it reaches it; the answer ends once all of the
// request's records have left the flow (fan-out to a log sink, a filter that drops one), a request
// past its timeout gets 504, and a client that goes away cancels the rest of its work.
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
import { expectAccounted } from "../test/accounting";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();
let engine: EngineProcess;

beforeAll(async () => {
  engine = await startEngine(t.url);
});
afterAll(async () => {
  await engine.stop();
});

// Busy-waits `ms` per record (the sandbox has no timers), drops records marked `drop`.
const SLOW_ECHO = `export default (r) => {
  const until = Date.now() + (r.value.ms ?? 0);
  while (Date.now() < until) {}
  if (r.value.drop) return null;
  return { value: { i: r.value.i } };
}`;

function requestFlow(name: string, timeoutMs: number, isPublic = true): FlowSpecInput {
  return {
    name,
    nodes: [
      { id: "req", kind: "source", type: "http-request", config: { public: isPublic, timeoutMs } },
      {
        id: "fn",
        kind: "function",
        type: "function",
        config: { code: SLOW_ECHO, batchSize: 1, timeoutMs: 5000 },
      },
      { id: "res", kind: "sink", type: "http-response", config: {} },
      { id: "log", kind: "sink", type: "log", config: { keep: 100 } },
    ],
    edges: [
      { id: "e1", from: { node: "req", port: "out" }, to: { node: "fn" } },
      { id: "e2", from: { node: "fn", port: "out" }, to: { node: "res" } },
      { id: "e3", from: { node: "fn", port: "out" }, to: { node: "log" } },
    ],
  };
}

async function deployed(spec: FlowSpecInput): Promise<string> {
  const flow = await t.api.flow.create(spec);
  await t.api.deployment.deploy({ flowId: flow.id });
  await eventually(
    async () =>
      (await t.api.deployment.status({ flowId: flow.id }))?.actualState === "running" ? true : undefined,
    "running",
  );
  const [instance] = await t.api.engine.list();
  return `${instance?.ingestUrl ?? ""}/ingest/${flow.id}/req`;
}

interface Answer {
  status: number;
  contentType: string | undefined;
  /** Each chunk of the body with the ms since the request was sent. */
  chunks: { at: number; text: string }[];
  body: string;
}

/** POSTs and records when each chunk of the answer arrives; `abortAfterFirst` hangs up after one. */
function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  abortAfterFirst = false,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = httpRequest(
      url,
      { method: "POST", headers: { "content-type": "application/json", ...headers } },
      (res) => {
        const chunks: { at: number; text: string }[] = [];
        const done = (): void => {
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers["content-type"],
            chunks,
            body: chunks.map((chunk) => chunk.text).join(""),
          });
        };
        res.on("data", (chunk: Buffer) => {
          chunks.push({ at: performance.now() - started, text: chunk.toString() });
          if (abortAfterFirst) {
            req.destroy();
            done();
          }
        });
        res.on("end", done);
        res.on("error", reject);
      },
    );
    req.on("error", (error) => {
      if (!abortAfterFirst) reject(error);
    });
    req.end(JSON.stringify(body));
  });
}

async function settledStats(flowId: string, node: string, recordsIn: number) {
  return eventually(async () => {
    const stats = await t.api.stats.get({ flowId });
    const here = stats.nodes.find((n) => n.nodeId === node);
    return here && here.recordsIn === recordsIn && here.accounting.inFlight === 0 ? stats : undefined;
  }, `${recordsIn} records settled into '${node}'`);
}

describe("request/response flows", () => {
  it("streams each answer as it is produced and ends when the request's records have left the flow", async () => {
    const spec = requestFlow("streamed answer", 10_000);
    const url = await deployed(spec);
    const flowId = url.split("/").at(-2) ?? "";
    const answer = await post(url, [
      { i: 1, ms: 0 },
      { i: 2, ms: 700 },
      { i: 3, ms: 0, drop: true },
      { i: 4, ms: 700 },
    ]);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe("application/x-ndjson");
    expect(
      answer.body
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual([{ i: 1 }, { i: 2 }, { i: 4 }]);
    // The first line left before the function had even started on the slow records.
    const first = answer.chunks[0]?.at ?? Infinity;
    const last = answer.chunks.at(-1)?.at ?? 0;
    expect(last - first).toBeGreaterThan(1200);

    // SSE when asked for, with an end event.
    const sse = await post(url, [{ i: 7 }], { accept: "text/event-stream" });
    expect(sse.contentType).toBe("text/event-stream");
    expect(sse.body).toBe('data: {"i":7}\n\nevent: end\ndata: {}\n\n');

    // A request whose every record is filtered out ends at once, empty.
    const empty = await post(url, { i: 9, drop: true });
    expect(empty).toMatchObject({ status: 200, body: "" });

    const stats = await settledStats(flowId, "fn", 6);
    expectAccounted(stats);
    expect(stats.nodes.find((n) => n.nodeId === "log")?.recordsIn).toBe(4);
    await t.api.deployment.stop({ flowId });
  });

  it("asks for the node's ingest token unless the node is public", async () => {
    const url = await deployed(requestFlow("locked", 10_000, false));
    const flowId = url.split("/").at(-2) ?? "";
    const refused = await post(url, [{ i: 1 }]);
    expect(refused.status).toBe(401);
    const { token } = await t.api.ingest.token({ flowId, nodeId: "req" });
    const answer = await post(url, [{ i: 1 }], { authorization: `Bearer ${token}` });
    expect(answer).toMatchObject({ status: 200, body: '{"i":1}\n' });
    await t.api.deployment.stop({ flowId });
  });

  it("answers 504 past the request's timeout and drops its remaining records", async () => {
    const spec = requestFlow("timed out", 300);
    const url = await deployed(spec);
    const flowId = url.split("/").at(-2) ?? "";
    const answer = await post(url, [{ i: 1, ms: 1000 }]);
    expect(answer.status).toBe(504);
    expect(JSON.parse(answer.body)).toEqual({
      error:
        "request timed out after 300 ms with 1 of its records still in flow " +
        `${flowId}; raise the http-request node's timeoutMs or make the flow faster`,
    });
    // Once the function finishes, its output is dropped on the edges instead of reaching the sinks.
    const stats = await settledStats(flowId, "res", 1);
    expectAccounted(stats);
    expect(stats.nodes.find((n) => n.nodeId === "res")?.accounting.completed).toBe(1);
    await t.api.deployment.stop({ flowId });
  });

  it("cancels the rest of a request when its client hangs up", async () => {
    const spec = requestFlow("cancelled", 10_000);
    const url = await deployed(spec);
    const flowId = url.split("/").at(-2) ?? "";
    const records = Array.from({ length: 6 }, (_, i) => ({ i, ms: i === 0 ? 0 : 400 }));
    const answer = await post(url, records, {}, true);
    expect(answer.chunks[0]?.text).toBe('{"i":0}\n');
    // Every record comes into the function, but only those taken before the hang-up run it
    // (the one in progress then, perhaps the next): the log sink sees at most 3 of the 6.
    const stats = await settledStats(flowId, "fn", 6);
    expectAccounted(stats);
    const logged = stats.nodes.find((n) => n.nodeId === "log")?.recordsIn ?? 0;
    expect(logged).toBeGreaterThanOrEqual(1);
    expect(logged).toBeLessThanOrEqual(3);
    await t.api.deployment.stop({ flowId });
  });
});
