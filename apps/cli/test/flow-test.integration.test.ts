// `weir test FILE --node N --records R` as a real process: a flow file's function node run on
// sample records by a loopback stand-in engine, without saving or deploying anything; and the
// file's own mistakes (a node it does not have) refused before anything is sent.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useTestDatabase } from "@weir/testkit/test-database";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, weir } from "./server";
import type { CliRun, RunningServer } from "./server";

const database = useTestDatabase("weir_cli_flow_test_test");
let server: RunningServer;
let engine: Server;
let dir: string;
let env: Record<string, string>;
const received: { code: string; params?: unknown; records: { value: { n: number } }[] }[] = [];
const run = (...args: string[]): Promise<CliRun> => weir(args, env, dir);

const FLOW = `name: tested
nodes:
  - id: ticks
    kind: source
    type: generator
  - id: triple
    kind: function
    type: function
    config:
      code: { file: ./triple.ts }
      params: { factor: 3 }
  - id: out
    kind: sink
    type: log
edges:
  - { id: a, from: { node: ticks, port: out }, to: { node: triple } }
  - { id: b, from: { node: triple, port: out }, to: { node: out } }
`;

beforeAll(async () => {
  server = await startServer(database.db);
  dir = mkdtempSync(join(tmpdir(), "weir-flow-test-"));
  env = { WEIR_CONFIG: join(dir, "config.json"), WEIR_TOKEN: server.token };
  writeFileSync(join(dir, "flow.yaml"), FLOW);
  writeFileSync(
    join(dir, "triple.ts"),
    "export default (r, ctx) => ({ value: r.value.n * ctx.params.factor });\n",
  );
  writeFileSync(join(dir, "records.yaml"), "- value: { n: 1 }\n- value: { n: -2 }\n");
  // Stands in for the engine: multiplies n by params.factor, and fails a negative n.
  engine = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as (typeof received)[number];
      received.push(body);
      const factor = (body.params as { factor: number }).factor;
      const results = body.records.map((r) =>
        r.value.n < 0
          ? { outputs: {}, error: { message: "negative", line: 1 } }
          : { outputs: { out: [{ value: r.value.n * factor }] }, error: null },
      );
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ ok: true, results, logs: [], state: {}, metrics: {}, timing: { processMs: 1 } }),
      );
    });
  });
  await new Promise<void>((resolve) => engine.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(engine.address() as AddressInfo).port}`;
  await database.db.engineInstance.create({ data: { id: "cli-flow-test-engine", ingestUrl: url } });
  expect((await run("context", "add", "t", "--url", server.url)).code).toBe(0);
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    engine.close(() => {
      resolve();
    });
  });
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("weir test", () => {
  it("runs the file's function node (code file and params) on the records, saving nothing", async () => {
    const result = await run("test", "flow.yaml", "--node", "triple", "--records", "records.yaml");
    expect(received[0]?.code).toContain("r.value.n * ctx.params.factor");
    expect(received[0]?.records).toEqual([{ value: { n: 1 } }, { value: { n: -2 } }]);
    expect(result.stdout).toContain('record 0 → out: {"value":3}\n');
    expect(result.stdout).toContain("record 1: error: negative (line 1)\n");
    expect(result.stderr).toBe("error: 1 of 2 record(s) failed\n");
    expect(result.code).toBe(1);
    expect(await database.db.flow.count()).toBe(0);
  });

  it("refuses a node the file has no function by that id, sending nothing (exit 2)", async () => {
    const before = received.length;
    const result = await run("test", "flow.yaml", "--node", "out", "--records", "records.yaml");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("error: flow.yaml: no function node out (function nodes: triple)\n");
    expect(received.length).toBe(before);
  });
});
