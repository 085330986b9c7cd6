// `npm run bench:engine-start` at the root: how long an engine process takes from spawn to ready
// (migrated database, ingest listening), its CPU time and its resident memory then, with the
// libraries it loads on first use left for later (as it runs) against the same engine made to load
// them at start (the baseline: how every start went before), alternating in the same run. An
// engine's start is what a restart, a scale-out and every engine integration test wait for.
// Not part of `npm test`.
//   BENCH_ROUNDS=9      starts per setting
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startTestPostgres } from "@weir/testkit";
import { testKeyEnv } from "@weir/testkit/test-keys";
import { ENGINE_NODE_FLAGS } from "../src/node-flags";
import { cpuSeconds, median, rssBytes } from "./density/proc-usage";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const engineDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const eagerImports = path.join(engineDir, "bench/engine-start/eager-imports.mjs");

interface Start {
  readyMs: number;
  cpuMs: number;
  rssMb: number;
}

async function startOnce(
  databaseUrl: string,
  preload: readonly string[],
  env: Record<string, string>,
): Promise<Start> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...ENGINE_NODE_FLAGS, ...preload, "--import", "tsx", "src/main.ts"],
    {
      cwd: engineDir,
      env: { ...process.env, DATABASE_URL: databaseUrl, WEIR_ENGINE_PORT: "0", ...testKeyEnv, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
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

const settings = [
  { name: "libraries on first use", preload: [], env: {} },
  { name: "all loaded at start", preload: ["--import", eagerImports], env: {} },
] as const;

const pg = await startTestPostgres();
const results = new Map<string, Start[]>(settings.map((s) => [s.name, []]));
try {
  // One of each first: tsx's transform cache and the page cache are warm for both.
  for (const setting of settings) await startOnce(pg.databaseUrl, setting.preload, setting.env);
  for (let i = 0; i < ROUNDS; i++) {
    for (const setting of settings)
      results.get(setting.name)?.push(await startOnce(pg.databaseUrl, setting.preload, setting.env));
  }
} finally {
  await pg.stop();
}

const line = (cells: readonly string[]): void => {
  process.stdout.write(
    `${cells[0]?.padEnd(24) ?? ""}${cells
      .slice(1)
      .map((c) => c.padStart(12))
      .join("")}\n`,
  );
};
process.stdout.write(`engine start, ${String(ROUNDS)} starts per setting, alternating (medians):\n`);
line(["setting", "ready ms", "CPU ms", "RSS MB"]);
const medians = settings.map((setting) => {
  const starts = results.get(setting.name) ?? [];
  const m = {
    ready: median(starts.map((s) => s.readyMs)),
    cpu: median(starts.map((s) => s.cpuMs)),
    rss: median(starts.map((s) => s.rssMb)),
  };
  line([setting.name, m.ready.toFixed(0), m.cpu.toFixed(0), m.rss.toFixed(1)]);
  return m;
});
const [lazy, eager] = medians;
if (lazy !== undefined && eager !== undefined) {
  line([
    "ratio (first use / all)",
    `${(lazy.ready / eager.ready).toFixed(2)}×`,
    `${(lazy.cpu / eager.cpu).toFixed(2)}×`,
    `${(lazy.rss / eager.rss).toFixed(2)}×`,
  ]);
}
process.exit(0);
