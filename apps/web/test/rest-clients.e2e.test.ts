// /api/v1 as clients nobody here wrote see it, against the whole platform (`npm start`: the
// built web app, the engine, embedded Postgres): schemathesis generates requests for every
// operation of the served OpenAPI document and checks every answer against it; the Python
// example client creates, deploys and reads a flow. Needs `next build` first (turbo runs it).
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { REST_ROUTES } from "@weir/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Platform } from "./support/platform";
import { freePorts, repoRoot, startPlatform } from "./support/platform";
import type { SchemathesisRun } from "./support/schemathesis";
import { runSchemathesis } from "./support/schemathesis";

/** The whole schemathesis run must stay well inside the test's time (and `npm test`'s). */
const SCHEMATHESIS_BUDGET_MS = 240_000;

let dataDir: string;
let platform: Platform;
let base: string;
/** The API token every client sends as `Authorization: Bearer …`, when the platform made one. */
let token: string | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "weir-rest-clients-"));
  // As root, Postgres runs as the "postgres" user, which must be able to enter the folder.
  await chmod(dataDir, 0o755);
  const ports = await freePorts();
  platform = await startPlatform({ dataDir, ports });
  base = `http://127.0.0.1:${ports.web}`;
  // `npm start` keeps an admin API token for scripts on this machine in its data folder.
  const tokenFile = path.join(dataDir, "admin-token");
  if (existsSync(tokenFile)) token = readFileSync(tokenFile, "utf8").trim();
}, 120_000);

afterAll(async () => {
  await platform.stop();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe("the Python example client (examples/clients/python)", () => {
  const python = (args: string[]): Promise<{ stdout: string; stderr: string }> =>
    promisify(execFile)("python3", args, {
      cwd: path.join(repoRoot, "examples/clients/python"),
      env: {
        ...process.env,
        PYTHONDONTWRITEBYTECODE: "1",
        WEIR_URL: base,
        ...(token ? { WEIR_TOKEN: token } : {}),
      },
      timeout: 90_000,
    });

  it("creates, deploys and reads a flow, then stops and deletes it", async () => {
    const { stdout: out } = await python(["quickstart.py", base]);
    expect(out).toMatch(/^created flow [0-9a-f-]{36} \(version 1\)$/m);
    expect(out).toContain("deployed version 1");
    expect(out).toMatch(/^log: \{"doubled": \d+, "seq": \d+\}$/m);
    expect(out).toMatch(/^stats: double in=\d+ out=\d+ errors=0$/m);
    expect(out).toContain("listed: True");
    expect(out).toContain("gone: HTTP 404 NOT_FOUND");
  }, 120_000);

  it("pages through lists and raises the server's problems with their paths", async () => {
    const { stderr } = await python(["-m", "unittest", "-v", "test_weir_client"]);
    expect(stderr).toMatch(/^Ran [1-9]\d* tests? in /m);
    expect(stderr).toMatch(/^OK$/m);
    expect(stderr).not.toMatch(/skipped/);
  }, 120_000);
});

describe("schemathesis against /api/v1", () => {
  let run: SchemathesisRun;

  beforeAll(async () => {
    run = await runSchemathesis({
      schemaUrl: `${base}/api/v1/openapi.json`,
      token,
      reportDir: dataDir,
      maxExamples: 5,
      seed: 14,
      timeoutMs: SCHEMATHESIS_BUDGET_MS,
    });
    process.stdout.write(`schemathesis finished in ${(run.elapsedMs / 1000).toFixed(1)} s:\n`);
    for (const part of run.output.split("--- schemathesis: ").slice(1)) {
      const name = part.slice(0, part.indexOf("\n"));
      process.stdout.write(
        `${name}:\n${part.slice(part.lastIndexOf("\n", part.lastIndexOf("= SUMMARY =")) + 1)}`,
      );
    }
  }, SCHEMATHESIS_BUDGET_MS + 30_000);

  it("ran to its end within its budget and found nothing", () => {
    expect(run.elapsedMs).toBeLessThan(SCHEMATHESIS_BUDGET_MS);
    expect(run.output).toContain("SUMMARY");
    expect(run.code, run.output.slice(-6000)).toBe(0);
  });

  // One test per documented operation, so the summary counts them and a failure names the route.
  for (const route of REST_ROUTES) {
    const name = `${route.method} ${route.path}`;
    it(`${name}: every check passes`, () => {
      const result = run.operations.find((o) => o.operation === name);
      expect(result, `${name} was not tested`).toBeDefined();
      expect(result?.failures.join("\n\n") ?? "").toBe("");
    });
  }
});
