// `weir sql` as a real process against /api/v1 on a loopback port with a real Postgres: a script
// piped on stdin creates, lists, starts, stops and drops a flow; a statement it does not understand
// runs nothing; a statement that fails stops the rest of the script.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useTestDatabase } from "@weir/testkit/test-database";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, startServer, weir } from "./server";
import type { CliRun, RunningServer } from "./server";

const database = useTestDatabase("weir_cli_sql_test");
let server: RunningServer;
let dir: string;
let env: Record<string, string>;

const FLOW_YAML = `name: sql demo
nodes:
  - id: gen
    kind: source
    type: generator
    config: { intervalMs: 100, count: 3 }
  - id: out
    kind: sink
    type: log
edges:
  - id: e1
    from: { node: gen, port: out }
    to: { node: out }
`;

/** `weir sql` with `script` piped to its stdin (not a TTY, so it reads the whole script). */
function sql(script: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, "sql"],
      { env: { ...process.env, ...env }, cwd: dir, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(script);
  });
}

const flowsNamed = (name: string) => database.db.flow.findMany({ where: { name } });

beforeAll(async () => {
  server = await startServer(database.db);
  dir = mkdtempSync(join(tmpdir(), "weir-cli-sql-"));
  env = { WEIR_CONFIG: join(dir, "weir.json"), WEIR_TOKEN: server.token };
  writeFileSync(join(dir, "flow.yaml"), FLOW_YAML);
  expect((await weir(["context", "add", "test", "--url", server.url], env, dir)).code).toBe(0);
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("weir sql", () => {
  it("creates, shows, starts, stops and drops a flow from a piped script", async () => {
    const created = await sql(`-- Function Stream style
create flow with ('path'='flow.yaml');
SHOW FLOWS;
START FLOW "sql demo";
`);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/flow sql demo \([0-9a-f-]{36}\) created: version 1/);
    expect(created.stdout).toMatch(/sql demo\s+1\s+-/); // SHOW FLOWS ran before START
    expect(created.stdout).toContain("deployed version 1: desired running");
    const [flow] = await flowsNamed("sql demo");
    expect(flow).toBeDefined();
    expect(await database.db.deployment.count({ where: { flowId: flow?.id } })).toBe(1);

    const again = await sql(
      "CREATE FLOW WITH ('path'='flow.yaml'); stop flow 'sql demo'; DROP FLOW 'sql demo';",
    );
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("unchanged: version 1");
    expect(again.stdout).toContain("stopped: version 1: desired stopped");
    expect(again.stdout).toContain(`deleted flow ${flow?.id}`);
    expect(await flowsNamed("sql demo")).toEqual([]);
  });

  it("refuses a script with a statement it does not understand, with its position, running nothing", async () => {
    const refused = await sql("CREATE FLOW WITH ('path'='flow.yaml');\nSELECT * FROM flows;\n");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'error: <stdin>:line 2, column 1: expected CREATE FLOW, SHOW FLOWS, START FLOW, STOP FLOW or DROP FLOW, found "SELECT"; nothing was run\n',
    );
    expect(refused.stdout).toBe("");
    expect(await flowsNamed("sql demo")).toEqual([]);
  });

  it("stops the script at the first statement that fails, with that statement's exit code", async () => {
    const stopped = await sql("START FLOW nothing_here;\nCREATE FLOW WITH ('path'='flow.yaml');\n");
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toBe(
      "error: no flow named nothing_here\nerror: statement on line 1 failed; the script stopped (1 statement(s) not run)\n",
    );
    expect(await flowsNamed("sql demo")).toEqual([]);

    const missing = await sql("CREATE FLOW WITH ('path'='nope.yaml'); SHOW FLOWS;");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml/);
    expect(missing.stdout).toBe("");
  });
});
