// `npm run bench:engine-start` at the root: how long an engine process takes from spawn to ready
// (migrated database, ingest listening), with its CPU time and resident memory then, three ways,
// alternating in the same run:
//   - from source through tsx, loading every library at start (the baseline: how every start went
//     before, when @platformatic/kafka, jco and the OTLP exporter were imported with the engine);
//   - from source through tsx, those libraries left for their first use (as the engine is now);
//   - bundled to JavaScript (scripts/build.mjs), as the production image, `npm start` and the
//     engine tests run it.
// An engine's start is what a restart, a scale-out and every engine integration test wait for.
// Not part of `npm test`.
//   BENCH_ROUNDS=9      starts per setting
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startTestPostgres } from "@weir/testkit";
import { testKeyEnv } from "@weir/testkit/test-keys";
import { buildEngine } from "../scripts/build.mjs";
import { ENGINE_NODE_FLAGS } from "../src/node-flags";
import { cpuSeconds, median, rssBytes } from "./density/proc-usage";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const engineDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const eagerImports = path.join(engineDir, "bench/engine-start/eager-imports.mjs");
const fromSource = ["--import", "tsx", "src/main.ts"];

interface Start {
  readyMs: number;
  cpuMs: number;
  rssMb: number;
}

async function startOnce(databaseUrl: string, args: readonly string[]): Promise<Start> {
  const started = performance.now();
  const child = spawn(process.execPath, [...ENGINE_NODE_FLAGS, ...args], {
    cwd: engineDir,
    env: { ...process.env, DATABASE_URL: databaseUrl, WEIR_ENGINE_PORT: "0", ...testKeyEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      resolve();
    }),
  );
  let output = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("ready; ingest at")) resolve();
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(() => {
      reject(new Error(`engine exited before it was ready:\n${output}`));
    });
  });
  const readyMs = performance.now() - started;
  const pid = child.pid ?? 0;
  const [cpu, rss] = await Promise.all([cpuSeconds(pid), rssBytes(pid)]);
  child.kill("SIGTERM");
  await exited;
  return { readyMs, cpuMs: cpu * 1000, rssMb: rss / 2 ** 20 };
}

const bundle = path.join(await buildEngine(path.join(engineDir, ".weir/bench-engine")), "main.js");
const settings = [
  { name: "tsx, all at start", args: ["--import", eagerImports, ...fromSource] },
  { name: "tsx, on first use", args: fromSource },
  { name: "bundled, on first use", args: [bundle] },
] as const;

const pg = await startTestPostgres();
const results = new Map<string, Start[]>(settings.map((s) => [s.name, []]));
try {
  // One of each first: tsx's transform cache and the page cache are warm for all.
  for (const setting of settings) await startOnce(pg.databaseUrl, setting.args);
  for (let i = 0; i < ROUNDS; i++) {
    for (const setting of settings)
      results.get(setting.name)?.push(await startOnce(pg.databaseUrl, setting.args));
  }
} finally {
  await pg.stop();
}

const line = (cells: readonly string[]): void => {
  const [first = "", ...rest] = cells;
  process.stdout.write(`${first.padEnd(24)}${rest.map((c) => c.padStart(12)).join("")}\n`);
};
process.stdout.write(`engine start, ${String(ROUNDS)} starts per setting, alternating (medians):\n`);
line(["setting", "ready ms", "CPU ms", "RSS MB", "ready ratio"]);
const baseline = median(results.get(settings[0].name)?.map((s) => s.readyMs) ?? []);
for (const setting of settings) {
  const starts = results.get(setting.name) ?? [];
  const ready = median(starts.map((s) => s.readyMs));
  line([
    setting.name,
    ready.toFixed(0),
    median(starts.map((s) => s.cpuMs)).toFixed(0),
    median(starts.map((s) => s.rssMb)).toFixed(1),
    `${(ready / baseline).toFixed(2)}×`,
  ]);
}
process.exit(0);
