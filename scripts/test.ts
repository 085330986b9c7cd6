// `npm test`: lint, typecheck and build every workspace, then run every workspace's tests
// (each test setup starts the real Postgres and Kafka it needs), then print one summary line.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RESULTS = ".weir/test-results.json";
const workspaces = ["apps", "packages"].flatMap((group) =>
  readdirSync(path.join(root, group)).map((name) => path.join(root, group, name)),
);

function run(title: string, args: string[], command = "turbo"): boolean {
  process.stdout.write(`\n[test] ${title}\n`);
  const result = spawnSync("npx", [command, ...args], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
  });
  return result.status === 0;
}

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults?: {
    name: string;
    assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[];
  }[];
}

/** CI shows only the end of the output, so each failed test is named again beside the summary. */
const failures: string[] = [];
function count(report: VitestReport): void {
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  for (const file of report.testResults ?? []) {
    for (const test of file.assertionResults ?? []) {
      if (test.status !== "failed") continue;
      const reason = (test.failureMessages?.[0] ?? "").split("\n")[0]?.slice(0, 300);
      failures.push(`${path.relative(root, file.name)} > ${test.fullName}\n    ${reason}`);
    }
  }
}

for (const dir of workspaces) rmSync(path.join(dir, RESULTS), { force: true });

let passed = 0;
let failed = 0;
let skipped = 0;

const checks =
  run("formatting", ["--check", "."], "prettier") &&
  run("lint the root scripts and examples", ["scripts", "examples", "test", "prisma.config.ts"], "eslint") &&
  run("typecheck the root scripts", ["-p", "tsconfig.json"], "tsc") &&
  run("lint, typecheck and build the workspaces", ["run", "lint", "typecheck", "build", "--continue"]);
const tests = run("tests", [
  "run",
  "test",
  "--continue",
  "--concurrency=1",
  "--",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${RESULTS}`,
]);

// The self-hosting test (test/compose) builds images and runs docker compose: it needs a Docker
// engine, so it runs when asked (.ci/run asks, after installing Docker) and counts in the summary.
const composeResults = path.join(root, ".weir/compose-test-results.json");
rmSync(composeResults, { force: true });
const composeAsked = process.env.WEIR_COMPOSE_TEST === "1";
const composeTests =
  !composeAsked ||
  run(
    "self-hosting: docker compose (WEIR_COMPOSE_TEST=1)",
    [
      "run",
      "--config",
      "test/compose/vitest.config.ts",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${composeResults}`,
    ],
    "vitest",
  );

const missing: string[] = [];
for (const dir of workspaces) {
  if (!existsSync(path.join(dir, "package.json"))) continue;
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
    scripts?: Record<string, string>;
  };
  if (!pkg.scripts?.test) continue;
  const file = path.join(dir, RESULTS);
  if (!existsSync(file)) {
    missing.push(path.relative(root, dir));
    continue;
  }
  count(JSON.parse(readFileSync(file, "utf8")) as VitestReport);
}

if (composeAsked) {
  if (existsSync(composeResults)) {
    count(JSON.parse(readFileSync(composeResults, "utf8")) as VitestReport);
  } else {
    missing.push("test/compose");
  }
}

process.stdout.write("\n");
if (!checks) process.stdout.write("[test] lint, typecheck or build FAILED (see above)\n");
if (missing.length > 0)
  process.stdout.write(`[test] no test report from: ${missing.join(", ")} (the run crashed)\n`);
for (const failure of failures) process.stdout.write(`[test] FAILED ${failure}\n`);
process.stdout.write(`weir: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(checks && tests && composeTests && failed === 0 && missing.length === 0 ? 0 : 1);
