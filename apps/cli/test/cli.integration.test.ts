// The `weir` binary as a real process against /api/v1 served over HTTP on a loopback port with a
// real Postgres: contexts, apply → deploy → status → stats → logs → export → apply again (no new
// version) → edit → delete, and each bad input it must refuse without changing anything.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSecretValue } from "@weir/db";
import { useTestDatabase } from "@weir/testkit/test-database";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BIN, startServer, weir } from "./server";
import type { CliRun, RunningServer } from "./server";

const database = useTestDatabase("weir_cli_test");
let server: RunningServer;
let dir: string;
let env: Record<string, string>;

const FLOW_YAML = `# a generator feeding a function feeding a log sink
name: cli demo
description: doubles a counter
nodes:
  - id: gen
    kind: source
    type: generator
    config:
      intervalMs: 100
      count: 10
  - id: double
    kind: function
    type: function
    config:
      code: { file: ./double.ts }
  - id: out
    kind: sink
    type: log
edges:
  - id: e1
    from: { node: gen, port: out }
    to: { node: double }
  - id: e2
    from: { node: double, port: out }
    to: { node: out }
`;

const CODE = "export default (r) => ({ value: { n: r.value.seq * 2 } });\n";

const run = (...args: string[]): Promise<CliRun> => weir(args, env, dir);

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const versionsOf = async (name: string): Promise<number> =>
  database.db.flowVersion.count({ where: { flow: { name } } });

beforeAll(async () => {
  server = await startServer(database.db);
  dir = mkdtempSync(join(tmpdir(), "weir-cli-"));
  env = { WEIR_CONFIG: join(dir, "config", "weir.json"), WEIR_TOKEN: server.token };
  write("double.ts", CODE);
  write("flow.yaml", FLOW_YAML);
  const added = await run("context", "add", "test", "--url", server.url);
  expect(added.code).toBe(0);
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("weir against a live server", () => {
  it("keeps contexts in WEIR_CONFIG and switches between them", async () => {
    const other = await run("context", "add", "elsewhere", "--url", "http://127.0.0.1:1");
    expect(other.code).toBe(0);
    const listed = await run("context", "list", "--json");
    expect(JSON.parse(listed.stdout)).toEqual({
      current: "test",
      contexts: { test: { url: server.url }, elsewhere: { url: "http://127.0.0.1:1" } },
    });
    expect((await run("context", "use", "nope")).code).toBe(2);
    expect(JSON.parse(readFileSync(env.WEIR_CONFIG ?? "", "utf8"))).toMatchObject({ current: "test" });
  });

  it("needs a token: without one it says how to get one; a context's token works and is never listed", async () => {
    const bare = { WEIR_CONFIG: env.WEIR_CONFIG ?? "" };
    const refused = await weir(["flows", "list"], bare);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/HTTP 401.*--token weir_/);
    const added = await weir(
      ["context", "add", "withtoken", "--url", server.url, "--token", server.token],
      bare,
    );
    expect(added.code).toBe(0);
    const listed = await weir(["--context", "withtoken", "flows", "list"], bare);
    expect(listed.code).toBe(0);
    const contexts = await weir(["context", "list", "--json"], bare);
    expect(contexts.stdout).not.toContain(server.token);
    expect(contexts.stdout).toContain(`${server.token.slice(0, 11)}…`);
    expect(readFileSync(env.WEIR_CONFIG ?? "", "utf8")).toContain(server.token);
  });

  it("applies, deploys, reads, exports, re-applies without a new version, updates and deletes", async () => {
    const created = await run("flows", "apply", "-f", "flow.yaml");
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/flow cli demo \(([0-9a-f-]{36})\) created: version 1/);
    const id = /\(([0-9a-f-]{36})\)/.exec(created.stdout)?.[1] ?? "";
    const stored = await database.db.flowVersion.findFirstOrThrow({ where: { flowId: id } });
    expect(JSON.stringify(stored.spec)).toContain("r.value.seq * 2");

    const again = await run("flows", "apply", "-f", "flow.yaml");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("unchanged: version 1");
    expect(await versionsOf("cli demo")).toBe(1);

    const deployed = await run("deploy", "cli demo");
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toContain("version 1: desired running");
    const status = await run("status", id, "--json");
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      version: 1,
      desiredState: "running",
      actualState: "pending",
    });

    const deployment = await database.db.deployment.findFirstOrThrow({ where: { flowId: id } });
    await database.db.sinkLogEntry.create({
      data: { flowId: id, deploymentId: deployment.id, nodeId: "out", record: { value: { n: 42 } } },
    });
    const logs = await run("logs", "cli demo", "out", "--json");
    expect(logs.code).toBe(0);
    expect(JSON.parse(logs.stdout)).toMatchObject([{ record: { value: { n: 42 } } }]);
    const stats = await run("stats", "cli demo", "--json");
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ deployment: { id: deployment.id } });

    const exported = await run("flows", "export", "cli demo", "-o", "exported.yaml");
    expect(exported.code).toBe(0);
    const text = readFileSync(join(dir, "exported.yaml"), "utf8");
    expect(text).toContain("name: cli demo");
    expect(text).toContain("r.value.seq * 2");
    const reapplied = await run("flows", "apply", "-f", "exported.yaml");
    expect(reapplied.stdout).toContain("unchanged: version 1");
    const asJson = await run("flows", "export", id, "-o", "exported.json");
    expect(asJson.code).toBe(0);
    expect((await run("flows", "apply", "-f", "exported.json")).stdout).toContain("unchanged: version 1");
    const split = await run(
      "flows",
      "export",
      "cli demo",
      "-o",
      "split/flow.yaml",
      "--code-dir",
      "split/code",
    );
    expect(split.code).toBe(0);
    expect(readFileSync(join(dir, "split", "code", "double.ts"), "utf8")).toBe(CODE);
    expect(readFileSync(join(dir, "split", "flow.yaml"), "utf8")).toContain(
      "code:\n        file: ./code/double.ts",
    );
    expect((await run("flows", "apply", "-f", "split/flow.yaml")).stdout).toContain("unchanged: version 1");
    expect(await versionsOf("cli demo")).toBe(1);

    write("double.ts", "export default (r) => ({ value: { n: r.value.seq * 3 } });\n");
    const updated = await run("flows", "apply", "-f", "flow.yaml");
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain("updated: version 2");
    expect(updated.stdout).toContain("~ node double: code");
    expect(await versionsOf("cli demo")).toBe(2);
    write("double.ts", CODE);

    const stopped = await run("stop", id);
    expect(stopped.stdout).toContain("desired stopped");
    const list = await run("flows", "list", "--json");
    expect((JSON.parse(list.stdout) as { id: string }[]).map((f) => f.id)).toContain(id);

    const deleted = await run("flows", "delete", id);
    expect(deleted.code).toBe(0);
    expect(await database.db.flow.count({ where: { id } })).toBe(0);
    const gone = await run("status", id);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error: flow .* not found \(HTTP 404 NOT_FOUND\)\n$/);
  });
});

describe("more commands", () => {
  it("diffs a file against the server, rolls back, lists and replays dead letters", async () => {
    write("more.yaml", FLOW_YAML.replace("cli demo", "more demo"));
    const before = await run("flows", "diff", "-f", "more.yaml");
    expect(before.stdout).toContain("does not exist yet");
    const created = await run("flows", "apply", "-f", "more.yaml");
    const id = /\(([0-9a-f-]{36})\)/.exec(created.stdout)?.[1] ?? "";
    expect((await run("flows", "diff", "-f", "more.yaml")).stdout).toContain("is up to date (version 1)");
    write("more.yaml", FLOW_YAML.replace("cli demo", "more demo").replace("count: 10", "count: 20"));
    const diff = await run("flows", "diff", "-f", "more.yaml");
    expect(diff.stdout).toBe("~ node gen: config.count\n");
    expect(await versionsOf("more demo")).toBe(1);
    write("triple.ts", "export default (r) => ({ value: { n: r.value.seq * 3 } });\n");
    write("more-code.yaml", FLOW_YAML.replace("cli demo", "more demo").replace("./double.ts", "./triple.ts"));
    const codeDiff = await run("flows", "diff", "-f", "more-code.yaml");
    expect(codeDiff.stdout).toContain(
      "~ node double: code\n--- double code (version 1)\n+++ double code (more-code.yaml)\n",
    );
    expect(codeDiff.stdout).toContain(
      "@@ -1,2 +1,2 @@\n-export default (r) => ({ value: { n: r.value.seq * 2 } });\n+export default (r) => ({ value: { n: r.value.seq * 3 } });\n \n",
    );
    expect((await run("flows", "apply", "-f", "more.yaml")).stdout).toContain("updated: version 2");

    const rolled = await run("rollback", "more demo", "1");
    expect(rolled.code).toBe(0);
    expect(rolled.stdout).toContain("saved version 3 (= version 1)");
    const v3 = await run("flows", "get", id, "--version", "3", "--json");
    const v3spec = JSON.parse(v3.stdout) as {
      version: number;
      spec: { nodes: { id: string; config: unknown }[] };
    };
    expect(v3spec.version).toBe(3);
    expect(v3spec.spec.nodes.find((n) => n.id === "gen")?.config).toMatchObject({ count: 10 });

    expect((await run("deploy", id, "--version", "1")).code).toBe(0);
    const deployment = await database.db.deployment.findFirstOrThrow({ where: { flowId: id } });
    const letter = await database.db.deadLetter.create({
      data: {
        flowId: id,
        deploymentId: deployment.id,
        flowVersionId: deployment.flowVersionId,
        nodeId: "double",
        record: { value: 1 },
        error: "boom",
        attempts: 3,
      },
    });
    const listed = await run("dlq", "list", "more demo", "--json");
    expect(JSON.parse(listed.stdout)).toMatchObject([{ id: Number(letter.id), error: "boom" }]);
    const replayed = await run("dlq", "replay", "more demo", String(letter.id));
    expect(replayed.stdout).toContain("replay requested for 1 dead letter(s)");
    expect(
      (await run("dlq", "list", "more demo", "--status", "replay-requested", "--json")).stdout,
    ).toContain("boom");
  });

  it("follows a log sink with logs -f until stopped", async () => {
    write("follow.yaml", FLOW_YAML.replace("cli demo", "follow demo"));
    const created = await run("flows", "apply", "-f", "follow.yaml");
    const id = /\(([0-9a-f-]{36})\)/.exec(created.stdout)?.[1] ?? "";
    expect((await run("deploy", id)).code).toBe(0);
    const deployment = await database.db.deployment.findFirstOrThrow({ where: { flowId: id } });
    const add = (n: number) =>
      database.db.sinkLogEntry.create({
        data: { flowId: id, deploymentId: deployment.id, nodeId: "out", record: { value: { n } } },
      });
    await add(1);
    const child = spawn(process.execPath, [BIN, "logs", id, "out", "-f", "--interval", "200"], {
      env: { ...process.env, ...env },
      cwd: dir,
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    const waitFor = async (text: string): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (!stdout.includes(text)) {
        if (Date.now() > deadline) throw new Error(`logs -f never printed ${text}; got: ${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      await waitFor('{"value":{"n":1}}');
      await add(2);
      await add(3);
      await waitFor('{"value":{"n":3}}');
      const lines = stdout.trim().split("\n");
      expect(lines.map((line) => line.replace(/^\S+ /, ""))).toEqual([
        '{"value":{"n":1}}',
        '{"value":{"n":2}}',
        '{"value":{"n":3}}',
      ]);
    } finally {
      child.kill();
    }
  });

  it("redraws stats with --watch, with rates since the last frame", async () => {
    write("watch.yaml", FLOW_YAML.replace("cli demo", "watch demo"));
    const id =
      /\(([0-9a-f-]{36})\)/.exec((await run("flows", "apply", "-f", "watch.yaml")).stdout)?.[1] ?? "";
    expect((await run("deploy", id)).code).toBe(0);
    const deployment = await database.db.deployment.findFirstOrThrow({ where: { flowId: id } });
    const key = { deploymentId: deployment.id, nodeId: "double", engineId: "e1" };
    await database.db.nodeStats.create({ data: { ...key, recordsIn: 10n, recordsOut: 10n } });
    const child = spawn(process.execPath, [BIN, "stats", id, "--watch", "--interval", "300"], {
      env: { ...process.env, ...env },
      cwd: dir,
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    const waitFor = async (pattern: RegExp): Promise<RegExpExecArray> => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const match = pattern.exec(stdout);
        if (match) return match;
        if (Date.now() > deadline)
          throw new Error(`stats --watch never printed ${String(pattern)}; got: ${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      await waitFor(/double +10 +10 +- +- +0/);
      await database.db.nodeStats.updateMany({ where: key, data: { recordsIn: 70n, recordsOut: 40n } });
      const frame = await waitFor(/double +70 +40 +(\d+\.\d) +(\d+\.\d) +0/);
      // 60 more in and 30 more out over one interval or so (300 ms plus a request): positive, in ratio.
      const inRate = Number(frame[1]);
      const outRate = Number(frame[2]);
      expect(inRate).toBeGreaterThan(0);
      expect(inRate / outRate).toBeCloseTo(2, 1);
    } finally {
      child.kill();
    }
  });

  it("sets a secret from stdin only and never prints its value", async () => {
    const set = await new Promise<CliRun>((resolve) => {
      const child = execFile(
        process.execPath,
        [BIN, "secrets", "set", "CLI_TOKEN"],
        { env: { ...process.env, ...env }, timeout: 60_000 },
        (error, stdout, stderr) => {
          resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
        },
      );
      child.stdin?.end("s3cret-value\n");
    });
    expect(set.code).toBe(0);
    // Stored sealed: the row holds only ciphertext, which opens to the value typed on stdin.
    const row = await database.db.secret.findUniqueOrThrow({ where: { name: "CLI_TOKEN" } });
    expect(JSON.stringify(row)).not.toContain("s3cret-value");
    expect(openSecretValue(database.db, row)).toBe("s3cret-value");
    const listed = await run("secrets", "list");
    expect(listed.stdout).toContain("CLI_TOKEN");
    expect(listed.stdout).not.toContain("s3cret-value");
    expect((await run("secrets", "delete", "CLI_TOKEN")).code).toBe(0);
    expect((await run("secrets", "delete", "CLI_TOKEN")).code).toBe(1);
  });

  it("sets connection profiles from a file, never printing a secret; refuses bytes that are no component", async () => {
    write(
      "kafka.yaml",
      "kind: kafka\nconfig:\n  brokers: [kafka-1:9093]\n  ssl: true\n  sasl: { mechanism: scram-sha-512, username: weir }\nsecrets:\n  sasl: { password: pa55-cli-secret }\n",
    );
    const set = await run("connections", "set", "prod-kafka", "-f", "kafka.yaml");
    expect(set.stderr).toBe("");
    expect(set.stdout).toBe("connection prod-kafka (kafka) set; secrets set: sasl.password\n");
    const got = await run("connections", "get", "prod-kafka", "--json");
    expect(JSON.parse(got.stdout)).toMatchObject({
      name: "prod-kafka",
      secrets: { "sasl.password": { set: true } },
    });
    const listed = await run("connections", "list");
    for (const out of [got.stdout, listed.stdout]) expect(out).not.toContain("pa55-cli-secret");
    expect(listed.stdout).toContain("prod-kafka");
    expect((await run("connections", "delete", "prod-kafka")).code).toBe(0);
    expect((await run("connections", "get", "prod-kafka")).code).toBe(1);

    write("not.wasm", "definitely not webassembly");
    const pushed = await run("artifacts", "push", "not.wasm");
    expect(pushed.code).toBe(1);
    expect(pushed.stderr).toMatch(/^error: .*\(HTTP 400 BAD_REQUEST\)\n$/);
    expect(await database.db.wasmArtifact.count()).toBe(0);
  });

  it("applies the example flow file of the README", async () => {
    const example = fileURLToPath(new URL("../../../examples/flows/generator-js-log.yaml", import.meta.url));
    const applied = await run("flows", "apply", "-f", example);
    expect(applied.stderr).toBe("");
    expect(applied.stdout).toContain("flow quickstart");
    expect((await run("flows", "apply", "-f", example)).stdout).toContain("unchanged: version 1");
  });
});

describe("bad input changes nothing", () => {
  async function refused(file: string, text: string): Promise<CliRun> {
    write(file, text);
    const before = await database.db.flowVersion.count();
    const result = await run("flows", "apply", "-f", file);
    expect(await database.db.flowVersion.count()).toBe(before);
    return result;
  }

  it("a malformed YAML file: the file and line", async () => {
    const result = await refused("malformed.yaml", "name: broken\nnodes:\n  - id: a\n    kind: [source\n");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: malformed\.yaml:\d+: malformed YAML: /);
  });

  it("an unknown field: file, line and JSON path", async () => {
    const result = await refused(
      "unknown.yaml",
      FLOW_YAML.replace("    type: log\n", "    type: log\n    colour: red\n"),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown.yaml:19: nodes[2].colour: unknown field "colour"');
  });

  it("a code file that does not exist: file, line and JSON path", async () => {
    const result = await refused("missing.yaml", FLOW_YAML.replace("./double.ts", "./nowhere.ts"));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /missing\.yaml:15: nodes\[1\]\.config\.code\.file: code file \.\/nowhere\.ts does not exist/,
    );
  });

  it("a flow that does not validate: every problem with its line", async () => {
    const result = await refused(
      "invalid.yaml",
      FLOW_YAML.replace("to: { node: out }", "to: { node: nowhere }"),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid\.yaml:2[56]: edges\[1\]\.to\.node: /);
  });

  it("a malformed JSON file and an unknown field in JSON", async () => {
    const broken = await refused("broken.json", '{ "name": "x", ');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^error: broken\.json(:\d+)?: malformed JSON/);
    const extra = await refused("extra.json", '{\n  "name": "x",\n  "nodez": []\n}\n');
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('extra.json:3: nodez: unknown field "nodez"');
  });

  it("code the server cannot compile: its problem located in the file, exit 1", async () => {
    write("broken.ts", "export default (r) => {\n  return r +;\n}\n");
    const result = await refused(
      "badcode.yaml",
      FLOW_YAML.replace("./double.ts", "./broken.ts").replace("cli demo", "bad code"),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/HTTP 400 BAD_REQUEST/);
    expect(result.stderr).toMatch(
      /badcode\.yaml:15: nodes\[1\]\.config\.code: .*\(code line 2, column \d+\)/,
    );
    expect(await database.db.flow.count({ where: { name: "bad code" } })).toBe(0);
  });

  it("an unreachable server: one line, exit 3", async () => {
    const result = await run("--context", "elsewhere", "flows", "list");
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: cannot reach Weir at http:\/\/127\.0\.0\.1:1: .+\n$/);
  });

  it("an unknown command or a missing option: usage, exit 2", async () => {
    expect((await run("flows", "apply")).code).toBe(2);
    expect((await run("nonsense")).code).toBe(2);
  });
});
