// `npm run bench:deploy` at the root: how long a deploy takes to reach the engine and run, with the
// engine woken by Postgres NOTIFY (the default) against the poll alone (WEIR_LISTEN_DEPLOYMENTS=off,
// the 500 ms poll the engine used before), in the same run, alternating. Each round deploys a
// generator → js → log flow and measures deploy call → deployment `running` and deploy call → the
// first record at the sink's log (which also waits for the engine's store flush), then stops it.
// Not part of `npm test`.
//   BENCH_ROUNDS=10      deploys per setting
import { createCaller } from "@weir/api";
import { createDb } from "@weir/db";
import type { Db } from "@weir/db";
import { startTestPostgres } from "@weir/testkit";
import { testInstallationKeys } from "@weir/testkit/test-keys";
import { startEngine } from "../test/engine-process";
import { engineTestAdmin } from "../test/test-principal";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

interface Round {
  runningMs: number;
  firstOutputMs: number;
}

async function oneRound(db: Db, name: string): Promise<Round> {
  const api = createCaller({ principal: engineTestAdmin, db });
  const flow = await api.flow.create({
    name,
    nodes: [
      { id: "gen", kind: "source", type: "generator", config: { intervalMs: 1, count: 1 } },
      { id: "fn", kind: "function", type: "function", config: { code: "export default (r) => r" } },
      { id: "out", kind: "sink", type: "log" },
    ],
    edges: [
      { id: "e1", from: { node: "gen", port: "out" }, to: { node: "fn" } },
      { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
    ],
  });
  const started = performance.now();
  await api.deployment.deploy({ flowId: flow.id });
  let runningMs = 0;
  let firstOutputMs = 0;
  // Polled every 5 ms: the figures are this coarse, far finer than what they measure.
  while (firstOutputMs === 0) {
    const now = performance.now() - started;
    if (now > 30_000) throw new Error(`${name}: no output within 30 s`);
    if (runningMs === 0 && (await api.deployment.status({ flowId: flow.id }))?.actualState === "running")
      runningMs = now;
    if ((await db.sinkLogEntry.count({ where: { flowId: flow.id } })) > 0) firstOutputMs = now;
    else await new Promise((resolve) => setTimeout(resolve, 5));
  }
  if (runningMs === 0) runningMs = firstOutputMs;
  await api.deployment.stop({ flowId: flow.id });
  return { runningMs, firstOutputMs };
}

async function main(): Promise<void> {
  const pg = await startTestPostgres();
  const url = pg.databaseUrl;
  const db = createDb(url, testInstallationKeys());
  const settings = [
    { name: "NOTIFY (default)", env: { WEIR_RECONCILE_MS: "500", WEIR_LISTEN_DEPLOYMENTS: "on" } },
    { name: "poll 500 ms only", env: { WEIR_RECONCILE_MS: "500", WEIR_LISTEN_DEPLOYMENTS: "off" } },
  ];
  const results = new Map<string, Round[]>(settings.map((s) => [s.name, []]));
  try {
    for (const setting of settings) {
      const engine = await startEngine(url, setting.env);
      try {
        await oneRound(db, `warm-up ${setting.name}`);
        for (let i = 0; i < ROUNDS; i++) {
          results.get(setting.name)?.push(await oneRound(db, `${setting.name} ${String(i)}`));
          // Deploys land at random points of the poll period, as a person's do.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 500));
        }
      } finally {
        await engine.stop();
      }
    }
  } finally {
    await db.$disconnect();
    await pg.stop();
  }
  log(`deploy latency, ${String(ROUNDS)} deploys per setting (medians, ms):`);
  log("setting              deploy→running  deploy→first output");
  for (const [name, rounds] of results) {
    log(
      `${name.padEnd(20)} ${median(rounds.map((r) => r.runningMs))
        .toFixed(0)
        .padStart(14)}  ${median(rounds.map((r) => r.firstOutputMs))
        .toFixed(0)
        .padStart(19)}`,
    );
  }
  const [notify, poll] = [...results.values()].map((rounds) => median(rounds.map((r) => r.runningMs)));
  if (notify !== undefined && poll !== undefined)
    log(`ratio (poll / NOTIFY), deploy→running: ${(poll / Math.max(notify, 1)).toFixed(2)}×`);
}

await main();
// Pools and the embedded Postgres keep handles open; the figures are printed, so end here.
process.exit(0);
