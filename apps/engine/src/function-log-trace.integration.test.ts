// A ctx.log line keeps the trace id of the record the function was processing when it wrote it
// (issue 17: the editor opens that trace from the line), on the js and the python runtime, in a
// batch and alone; a line of init, or of a record that was not sampled, has none. Runs the real
// engine process on real Postgres, tracing as it is by default (spans kept in the engine).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
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

const flowSpec: FlowSpecInput = {
  name: "traced logs",
  nodes: [
    { id: "in", kind: "source", type: "http-ingest", config: { public: true } },
    {
      id: "js",
      kind: "function",
      type: "function",
      config: {
        code: `export function init(ctx) { ctx.log.info("js init"); }
export default (r, ctx) => { ctx.log.info("js saw " + r.value.n); return r; };`,
      },
    },
    {
      id: "py",
      kind: "function",
      type: "function",
      config: {
        runtime: "python",
        language: "python",
        code: 'def handle(r, ctx):\n    ctx.log.info("py saw", r["value"]["n"])\n    return r\n',
      },
    },
    { id: "out", kind: "sink", type: "log", config: { keep: 10 } },
  ],
  edges: [
    { id: "e1", from: { node: "in", port: "out" }, to: { node: "js" } },
    { id: "e2", from: { node: "js", port: "out" }, to: { node: "py" } },
    { id: "e3", from: { node: "py", port: "out" }, to: { node: "out" } },
  ],
};

async function post(url: string, traceparent: string, values: unknown[]): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", traceparent },
    body: JSON.stringify(values),
  });
  expect(response.status).toBe(200);
}

describe("function log lines and traces", () => {
  it("keeps the trace id of the record a line was written for, on js and python", async () => {
    const flow = await t.api.flow.create(flowSpec);
    await t.api.deployment.deploy({ flowId: flow.id });
    await eventually(
      async () =>
        (await t.api.deployment.status({ flowId: flow.id }))?.actualState === "running" ? true : undefined,
      "running",
    );
    const [instance] = await t.api.engine.list();
    const url = `${instance?.ingestUrl ?? ""}/ingest/${flow.id}/in`;

    const traced = randomBytes(16).toString("hex");
    const untraced = randomBytes(16).toString("hex");
    // Two records in one request (they may cross as one batch), then one the caller did not sample.
    await post(url, `00-${traced}-${randomBytes(8).toString("hex")}-01`, [{ n: 1 }, { n: 2 }]);
    await eventually(async () => {
      const rows = await t.api.logs.read({ flowId: flow.id, nodeId: "out" });
      return rows.length === 2 ? rows : undefined;
    }, "2 records through");
    await post(url, `00-${untraced}-${randomBytes(8).toString("hex")}-00`, [{ n: 3 }]);

    const lines = async (nodeId: string): Promise<[string, string | null][]> =>
      (await t.api.logs.function({ flowId: flow.id, nodeId })).map((line) => [line.message, line.traceId]);
    const js = await eventually(async () => {
      const got = await lines("js");
      return got.length === 4 ? got : undefined;
    }, "4 js log lines");
    expect(js).toEqual([
      ["js init", null],
      ["js saw 1", traced],
      ["js saw 2", traced],
      ["js saw 3", null],
    ]);
    const py = await eventually(async () => {
      const got = await lines("py");
      return got.length === 3 ? got : undefined;
    }, "3 python log lines");
    expect(py).toEqual([
      ["py saw 1", traced],
      ["py saw 2", traced],
      ["py saw 3", null],
    ]);
    // The trace a line names is one the engine kept: the editor's Trace button opens it.
    const view = await t.api.trace.get({ flowId: flow.id, traceId: traced });
    expect(view.spans.map((span) => span.name)).toEqual(
      expect.arrayContaining(["function js", "function py"]),
    );
    await t.api.deployment.stop({ flowId: flow.id });
  });
});
