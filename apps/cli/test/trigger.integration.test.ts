// `weir trigger` as a real process: code that does not compile (no engine asked), no live engine,
// and a loopback stand-in engine that computes its answer from the request it received.
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

const database = useTestDatabase("weir_cli_trigger_test");
let server: RunningServer;
let dir: string;
let env: Record<string, string>;
const run = (...args: string[]): Promise<CliRun> => weir(args, env, dir);

beforeAll(async () => {
  server = await startServer(database.db);
  dir = mkdtempSync(join(tmpdir(), "weir-trigger-"));
  env = { WEIR_CONFIG: join(dir, "config.json"), WEIR_TOKEN: server.token };
  writeFileSync(join(dir, "double.ts"), "export default (r) => ({ value: r.value.n * 2 });\n");
  writeFileSync(join(dir, "broken.ts"), "export default (r) => {\n  return r +;\n}\n");
  writeFileSync(join(dir, "records.yaml"), "- value: { n: 1 }\n- value: { n: 5 }\n");
  writeFileSync(join(dir, "with-bad.yaml"), "- value: { n: 1 }\n- value: { n: -1 }\n");
  expect((await run("context", "add", "t", "--url", server.url)).code).toBe(0);
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("weir trigger", () => {
  it("reports code that does not compile with its line, exit 1", async () => {
    const result = await run("trigger", "--code-file", "broken.ts", "--records", "records.yaml");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: the code does not compile\n {2}line 2, column \d+: /);
  });

  it("says no engine is running, exit 1", async () => {
    const result = await run("trigger", "--code-file", "double.ts", "--records", "records.yaml");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no engine is running.*HTTP 412 PRECONDITION_FAILED/);
  });

  it("prints what a live engine answers per record, and exits 1 when one failed", async () => {
    const received: { code: string; records: { value: { n: number } }[] }[] = [];
    const engine: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as (typeof received)[number];
        received.push(body);
        // Stands in for the engine: doubles n, and fails a negative one as a throwing function would.
        const results = body.records.map((r) =>
          r.value.n < 0
            ? { outputs: {}, error: { message: "negative", line: 1 } }
            : { outputs: { out: [{ value: r.value.n * 2 }] }, error: null },
        );
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ ok: true, results, logs: [], state: {}, metrics: {}, timing: { processMs: 1 } }),
        );
      });
    });
    await new Promise<void>((resolve) => engine.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(engine.address() as AddressInfo).port}`;
    await database.db.engineInstance.create({ data: { id: "cli-test-engine", ingestUrl: url } });
    try {
      const ok = await run("trigger", "--code-file", "double.ts", "--records", "records.yaml");
      expect(ok.stderr).toBe("");
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain('record 0 → out: {"value":2}\nrecord 1 → out: {"value":10}\n');
      expect(received[0]?.code).toContain("r.value.n * 2");
      expect(received[0]?.records).toEqual([{ value: { n: 1 } }, { value: { n: 5 } }]);

      const bad = await run("trigger", "--code-file", "double.ts", "--records", "with-bad.yaml");
      expect(bad.code).toBe(1);
      expect(bad.stdout).toContain("record 1: error: negative (line 1)");
      expect(bad.stderr).toBe("error: 1 of 2 record(s) failed\n");
    } finally {
      await database.db.engineInstance.delete({ where: { id: "cli-test-engine" } });
      await new Promise<void>((resolve) =>
        engine.close(() => {
          resolve();
        }),
      );
    }
  });
});
