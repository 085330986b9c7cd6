// `weir test FILE` running a flow file's `tests:` cases as a real process: each case goes
// through POST /api/v1/dry-runs to an engine endpoint in this process (the engine's own
// IngestServer with the real JavaScript runtime, so the function code really runs in its
// sandbox); a passing case, a failing one with its diff, and bad cases refused before sending.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IngestServer } from "@weir/engine/src/ingest-server";
import { createLogger } from "@weir/engine/src/logger";
import { jsRuntime } from "@weir/runtime-js";
import { TEST_INTERNAL_KEY } from "@weir/testkit/test-keys";
import { useTestDatabase } from "@weir/testkit/test-database";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, weir } from "./server";
import type { CliRun, RunningServer } from "./server";

const database = useTestDatabase("weir_cli_flow_tests_test");
let server: RunningServer;
let engine: IngestServer;
let dir: string;
let env: Record<string, string>;
const run = (...args: string[]): Promise<CliRun> => weir(args, env, dir);

const FLOW = `name: tested cases
nodes:
  - id: orders
    kind: source
    type: generator
  - id: price
    kind: function
    type: function
    config:
      code: { file: ./price.ts }
  - id: out
    kind: sink
    type: log
edges:
  - { id: a, from: { node: orders, port: out }, to: { node: price } }
  - { id: b, from: { node: price, port: out }, to: { node: out } }
tests:
  - name: prices orders, dead-letters a negative quantity
    input:
      orders:
        - value: { sku: a, qty: 2, unit: 5 }
        - value: { sku: b, qty: -1, unit: 5 }
        - value: { sku: c, qty: 1, unit: 7 }
    expect:
      out:
        - value: { sku: a, total: 10 }
        - value: { total: 7 }
    match: partial
    deadLetters:
      - { node: price, message: negative quantity }
  - name: exact totals
    input:
      orders:
        - value: { sku: a, qty: 3, unit: 2 }
    expect:
      out:
        - value: { sku: a, total: 5 }
`;

const CODE = `export default (r) => {
  if (r.value.qty < 0) throw new Error("negative quantity " + r.value.qty);
  return { value: { sku: r.value.sku, total: r.value.qty * r.value.unit } };
};
`;

beforeAll(async () => {
  server = await startServer(database.db);
  dir = mkdtempSync(join(tmpdir(), "weir-flow-tests-"));
  env = { WEIR_CONFIG: join(dir, "config.json"), WEIR_TOKEN: server.token };
  writeFileSync(join(dir, "flow.yaml"), FLOW);
  writeFileSync(join(dir, "price.ts"), CODE);
  engine = new IngestServer(
    createLogger("cli-test-engine", { quiet: true }),
    new Map([[jsRuntime.name, jsRuntime]]),
    () => Promise.resolve({}),
    () => Promise.reject(new Error("no artifacts in this test")),
    { internalKey: TEST_INTERNAL_KEY, ingestToken: () => Promise.reject(new Error("no ingest here")) },
  );
  const port = await engine.listen(0, "127.0.0.1");
  await database.db.engineInstance.create({
    data: { id: "cli-flow-tests-engine", ingestUrl: `http://127.0.0.1:${port}` },
  });
  expect((await run("context", "add", "t", "--url", server.url)).code).toBe(0);
});

afterAll(async () => {
  await engine.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("weir test FILE (tests: cases)", () => {
  it("passes the first case and fails the second with a diff of expected and actual, exit 1, saving nothing", async () => {
    const result = await run("test", "flow.yaml");
    expect(result.stdout).toBe(
      [
        "PASS prices orders, dead-letters a negative quantity",
        "FAIL exact totals",
        "  sink out: expected 1 record(s), got 1 (exact match)",
        '    - {"value":{"sku":"a","total":5}}',
        '    + {"value":{"sku":"a","total":6}}',
        "1 passed, 1 failed",
        "",
      ].join("\n"),
    );
    expect(result.stderr).toBe("error: 1 of 2 test(s) failed\n");
    expect(result.code).toBe(1);
    expect(await database.db.flow.count()).toBe(0);
    expect(await database.db.deployment.count()).toBe(0);
  });

  it("exits 0 when every case passes, and reports an unexpected dead letter", async () => {
    writeFileSync(join(dir, "fixed.yaml"), FLOW.replace("total: 5 }", "total: 6 }"));
    const passing = await run("test", "fixed.yaml", "--json");
    expect(passing.stderr).toBe("");
    expect(passing.code).toBe(0);
    expect(JSON.parse(passing.stdout)).toEqual([
      { name: "prices orders, dead-letters a negative quantity", passed: true, diff: [] },
      { name: "exact totals", passed: true, diff: [] },
    ]);

    writeFileSync(join(dir, "surprise.yaml"), FLOW.replace("qty: 3, unit: 2", "qty: -3, unit: 2"));
    const surprised = await run("test", "surprise.yaml");
    expect(surprised.code).toBe(1);
    expect(surprised.stdout).toContain(
      "  dead letters: expected 0, got 1\n    + price: negative quantity -3\n",
    );
  });

  it("stores the cases with the flow: export writes them, re-apply is unchanged, an edit shows in diff", async () => {
    writeFileSync(join(dir, "stored.yaml"), FLOW.replace("total: 5 }", "total: 6 }"));
    const applied = await run("flows", "apply", "-f", "stored.yaml");
    expect(applied.code).toBe(0);
    const exported = await run("flows", "export", "tested cases", "-o", "exported.yaml");
    expect(exported.code).toBe(0);
    const text = readFileSync(join(dir, "exported.yaml"), "utf8");
    expect(text).toContain("tests:\n  - name: prices orders, dead-letters a negative quantity\n");
    expect(text).toContain("order: strict");
    expect((await run("flows", "apply", "-f", "exported.yaml")).stdout).toContain("unchanged: version 1");
    const rerun = await run("test", "exported.yaml");
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain("2 passed, 0 failed");

    writeFileSync(join(dir, "edited.yaml"), text.replace("name: exact totals", "name: exact total"));
    const diff = await run("flows", "diff", "-f", "edited.yaml");
    expect(diff.stdout).toContain('+ test "exact total"\n');
    expect(diff.stdout).toContain('- test "exact totals"\n');
    expect((await run("flows", "delete", "tested cases")).code).toBe(0);
  });

  it("refuses a case naming a node the flow does not have, with file, line and path, sending nothing (exit 2)", async () => {
    writeFileSync(
      join(dir, "bad.yaml"),
      FLOW.replace(
        "    expect:\n      out:\n        - value: { sku: a, total: 10 }",
        "    expect:\n      nowhere:\n        - value: { sku: a, total: 10 }",
      ),
    );
    const result = await run("test", "bad.yaml");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: bad.yaml: 1 problem; nothing was sent\n  bad.yaml:26: tests[0].expect.nowhere: no sink node nowhere in this flow (sinks: out)\n",
    );
  });
});
