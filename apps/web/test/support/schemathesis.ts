// Runs schemathesis (PyPI; `.ci/run` installs it) against a live /api/v1: it reads the OpenAPI
// document the server serves, generates valid and invalid requests for every operation, follows
// the document's links between operations, and checks each answer with all its default checks
// (no 5xx, documented status codes, content types and headers, bodies matching their schemas,
// invalid input refused, valid input accepted, 405 for undocumented methods).
import { spawn, spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const CONFIG_FILE = fileURLToPath(new URL("./schemathesis.toml", import.meta.url));

/** Flows, their versions, names and copies: about half the operations and the costlier half. */
const FLOW_DEFINITIONS = "^/flows(/validate|/\\{id\\}(/name|/copies|/versions.*|/rollbacks)?)?$";
/** Accounts, tokens and the audit log: a new account costs a password hash (scrypt) each. */
const ACCOUNTS = "^/(account|users|tokens|audit-events)";

/** The version .ci/run installs; a different one runs too, and the summary names it. */
export const SCHEMATHESIS_VERSION = "4.32.5";

export interface OperationResult {
  /** `GET /flows/{id}`, as schemathesis names an operation. */
  operation: string;
  /** Each failure as schemathesis describes it (with a curl line to reproduce), empty when none. */
  failures: string[];
}

export interface SchemathesisRun {
  code: number | null;
  /** What it printed, ending with its summary. */
  output: string;
  operations: OperationResult[];
  elapsedMs: number;
}

/** `st` on PATH, or the module under python3: the command and its leading arguments. */
export function findSchemathesis(): string[] {
  if (spawnSync("st", ["--version"], { stdio: "ignore" }).status === 0) return ["st"];
  if (spawnSync("python3", ["-m", "schemathesis.cli", "--version"], { stdio: "ignore" }).status === 0)
    return ["python3", "-m", "schemathesis.cli"];
  throw new Error(
    `schemathesis is not installed: python3 -m pip install schemathesis==${SCHEMATHESIS_VERSION} (.ci/run does)`,
  );
}

const unescape = (text: string): string =>
  text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, "&");

/** The JUnit report: one test case per operation, with a <failure> or <error> per failed check. */
export function parseJunit(xml: string): OperationResult[] {
  const results: OperationResult[] = [];
  for (const match of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const name = /name="([^"]*)"/.exec(match[1] ?? "")?.[1];
    if (name === undefined) continue;
    const failures = [...(match[3] ?? "").matchAll(/<(failure|error)\b[^>]*>([\s\S]*?)<\/\1>/g)].map((f) =>
      unescape(f[2] ?? ""),
    );
    results.push({ operation: unescape(name), failures });
  }
  return results;
}

/**
 * The paths split in three, one schemathesis process each, run side by side: with several
 * `--workers` in one process schemathesis 4.32 breaks ("AST constructor recursion depth
 * mismatch", a race in Hypothesis), so single-worker processes share the cores instead.
 */
export const PATH_GROUPS = [
  { name: "flow definitions", filter: ["--include-path-regex", FLOW_DEFINITIONS] },
  { name: "accounts", filter: ["--include-path-regex", ACCOUNTS] },
  {
    name: "everything else",
    // One regex: schemathesis keeps only the last of several --exclude-path-regex.
    filter: ["--exclude-path-regex", `${FLOW_DEFINITIONS}|${ACCOUNTS}`],
  },
];

function runOne(
  command: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, NO_COLOR: "1", PYTHONDONTWRITEBYTECODE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

export async function runSchemathesis(options: {
  /** Where the server serves its OpenAPI document. */
  schemaUrl: string;
  /** An API token, sent as `Authorization: Bearer <token>` with every request. */
  token?: string;
  reportDir: string;
  /** Test cases per operation and phase; with `seed` the run is the same every time. */
  maxExamples: number;
  seed: number;
  timeoutMs: number;
}): Promise<SchemathesisRun> {
  const [command = "st", ...lead] = findSchemathesis();
  const started = Date.now();
  const runs = await Promise.all(
    PATH_GROUPS.map(async (group, i) => {
      const junit = path.join(options.reportDir, `junit-${i}.xml`);
      const args = [
        ...lead,
        // Which operations may refuse schema-valid input for reasons JSON Schema cannot state, and why.
        `--config-file=${CONFIG_FILE}`,
        "run",
        options.schemaUrl,
        ...group.filter,
        `--max-examples=${options.maxExamples}`,
        `--seed=${options.seed}`,
        "--workers=1",
        "--request-timeout=30",
        "--report=junit",
        `--report-junit-path=${junit}`,
        "--output-truncate=true",
        ...(options.token ? ["--header", `Authorization: Bearer ${options.token}`] : []),
      ];
      const run = await runOne(command, args, options.reportDir, options.timeoutMs);
      let operations: OperationResult[] = [];
      try {
        operations = parseJunit(await readFile(junit, "utf8"));
      } catch {
        operations = [];
      }
      return { ...run, operations, output: `--- schemathesis: ${group.name}\n${run.output}` };
    }),
  );
  const failed = runs.find((r) => r.code !== 0);
  return {
    code: failed ? failed.code : 0,
    output: runs.map((r) => r.output).join("\n"),
    operations: runs.flatMap((r) => r.operations),
    elapsedMs: Date.now() - started,
  };
}
