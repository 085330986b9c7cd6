// `npm run bench:density` at the root: what many small flows cost. For each N it deploys N flows of
// generator (10 records/s) → js → log into a real engine process (on a fresh Postgres) and, in the
// same run, starts Node-RED (installed from npm into .weir/node-red on first use) with N flows of
// inject (0.1 s) → function → function. After a warm-up it measures each process's CPU (from
// /proc/<pid>/stat) over repeated windows and its RSS, and prints medians, per-flow figures and
// the ratios engine / Node-RED. N = 0 measures each with no flows, so "per flow" is (RSS − RSS at
// N = 0) / N. Idle levels (BENCH_IDLE) deploy N flows that send one record when they start and
// none after (generator every 24 h; inject once), and show what flows cost while nothing flows:
// CPU per 100 idle flows is (CPU − CPU at N = 0) / N × 100. Postgres's CPU and transactions per
// second are shown beside the engine's (Node-RED has no database). Not part of `npm test`.
// The defaults (0, 10, 100 and 100 idle) take about 8 minutes; 1,000 flows (BENCH_FLOWS=…,1000,
// BENCH_IDLE=…,1000) ask for 10,000 records/s from one process, more than a 2-core machine has:
// above SATURATING_FLOWS flows a shortfall does not fail the run, and the table shows the share
// of the set rate each system delivered (its CPU figures are then for what it delivered).
//   BENCH_FLOWS=0,10,100  BENCH_IDLE=100  BENCH_WINDOWS=3  BENCH_WINDOW_S=10  BENCH_WARMUP_S=10
//   BENCH_ONLY=engine|node-red  BENCH_ENGINE_ENV="K=V,K=V" (extra engine settings)
//   BENCH_MIN_DELIVERED=0.5 (share of 10 records/s per flow below which a window fails the run)
//   BENCH_ENGINE_CPU_PROF=<dir>  each engine process writes a V8 CPU profile there when it stops
import { createCaller } from "@weir/api";
import { createDb } from "@weir/db";
import type { Db } from "@weir/db";
import { startTestPostgres } from "@weir/testkit";
import { testInstallationKeys } from "@weir/testkit/test-keys";
import { useEngineBundle } from "../test/engine-bundle";
import { startEngine } from "../test/engine-process";
import { engineTestAdmin } from "../test/test-principal";
import { ensureNodeRed, startNodeRed } from "./density/node-red";
import { descendantsCpuSeconds, measureWindow, median } from "./density/proc-usage";
import type { Window } from "./density/proc-usage";

const numbers = (text: string): number[] =>
  text
    .split(",")
    .filter((item) => item.trim() !== "")
    .map(Number);
const FLOWS = numbers(process.env.BENCH_FLOWS ?? "0,10,100");
// An idle level of 0 flows is the N = 0 level again (and its per-flow figure a division by 0).
const IDLE = numbers(process.env.BENCH_IDLE ?? "100").filter((flows) => flows > 0);
/** An idle flow's generator: one record at deploy, the next a day later (the longest interval). */
const IDLE_INTERVAL_MS = 86_400_000;
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 3);
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 10);
const ONLY = process.env.BENCH_ONLY;
const ENGINE_ENV = Object.fromEntries(
  (process.env.BENCH_ENGINE_ENV ?? "")
    .split(",")
    .filter((pair) => pair.includes("="))
    .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
);
const PROFILE_DIR = process.env.BENCH_ENGINE_CPU_PROF;
const RATE_PER_FLOW = 10;
/**
 * A window in which the sinks got less than this share of what the sources were set to send fails
 * the run (the records/s column shows what each delivered; a busy machine delays timers).
 */
const MIN_DELIVERED = Number(process.env.BENCH_MIN_DELIVERED ?? 0.5);
/** Levels with more flows than this may deliver less than MIN_DELIVERED (see the header). */
const SATURATING_FLOWS = 100;

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

interface Measured {
  windows: Window[];
  /** Records that reached the sinks per second, per window. */
  rates: number[];
  /** Postgres transactions per second (engine only), per window. */
  transactions: number[];
}

/** One measured setting: N flows, sending records or idle. */
interface Level {
  flows: number;
  idle: boolean;
  label: string;
}

/** Warms up, then measures `pid` over the windows and checks the sinks kept up. */
async function measure(
  pid: number,
  level: Level,
  received: () => Promise<number>,
  other?: () => Promise<number>,
  transactions: () => Promise<number> = () => Promise.resolve(0),
): Promise<Measured> {
  await new Promise((resolve) => setTimeout(resolve, WARMUP_S * 1000));
  const result: Measured = { windows: [], rates: [], transactions: [] };
  const flows = level.idle ? 0 : level.flows;
  for (let i = 0; i < WINDOWS; i++) {
    const before = await received();
    const transactionsBefore = await transactions();
    const started = performance.now();
    result.windows.push(await measureWindow(pid, WINDOW_S, other));
    const seconds = (performance.now() - started) / 1000;
    const rate = ((await received()) - before) / seconds;
    result.rates.push(rate);
    result.transactions.push(((await transactions()) - transactionsBefore) / seconds);
    const last = result.windows.at(-1);
    if (last)
      log(
        `  window ${String(i + 1)}: ${rate.toFixed(0)} records/s, CPU ${last.cpuPercent.toFixed(2)}%, RSS ${(last.rss / 1024 / 1024).toFixed(0)} MB`,
      );
    if (level.idle && rate > 0)
      throw new Error(`${level.label} flows delivered ${rate.toFixed(1)} records/s, expected none`);
    if (flows > 0 && rate < flows * RATE_PER_FLOW * MIN_DELIVERED && flows <= SATURATING_FLOWS)
      throw new Error(
        `${String(flows)} flows delivered ${rate.toFixed(0)} records/s, expected about ${String(flows * RATE_PER_FLOW)}`,
      );
  }
  return result;
}

async function createFlows(db: Db, count: number, idle: boolean): Promise<void> {
  const api = createCaller({ principal: engineTestAdmin, db });
  for (let i = 0; i < count; i++) {
    const flow = await api.flow.create({
      name: `density ${String(i)}`,
      nodes: [
        {
          id: "gen",
          kind: "source",
          type: "generator",
          config: {
            intervalMs: idle ? IDLE_INTERVAL_MS : 1000 / RATE_PER_FLOW,
            template: { seq: "{{seq}}", now: "{{now}}" },
          },
        },
        {
          id: "fn",
          kind: "function",
          type: "function",
          config: {
            code: "export default (record) => ({ value: { ...record.value, doubled: record.value.seq * 2 } });",
          },
        },
        { id: "out", kind: "sink", type: "log" },
      ],
      edges: [
        { id: "e1", from: { node: "gen", port: "out" }, to: { node: "fn" } },
        { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
      ],
    });
    await api.deployment.deploy({ flowId: flow.id });
  }
}

/** Records the log sinks took in, summed over the engine's stats rows (written about once a second). */
async function sinkRecords(db: Db): Promise<number> {
  const rows = await db.nodeStats.findMany({ where: { nodeId: "out" }, select: { recordsIn: true } });
  return rows.reduce((sum, row) => sum + Number(row.recordsIn), 0);
}

/** Transactions Postgres committed or rolled back in the engine's database so far. */
async function transactionCount(db: Db): Promise<number> {
  const rows = await db.$queryRaw<{ count: bigint }[]>`
    SELECT xact_commit + xact_rollback AS count FROM pg_stat_database WHERE datname = current_database()`;
  return Number(rows[0]?.count ?? 0);
}

async function measureEngine(level: Level): Promise<Measured> {
  const count = level.flows;
  const pg = await startTestPostgres();
  const db = createDb(pg.databaseUrl, testInstallationKeys());
  try {
    // Deployed before the engine starts, so it claims them all at once, as after a restart.
    await createFlows(db, count, level.idle);
    const engineStarted = performance.now();
    const engine = await startEngine(pg.databaseUrl, {
      WEIR_RECONCILE_MS: "500",
      ...ENGINE_ENV,
      ...(PROFILE_DIR ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${PROFILE_DIR}` } : {}),
    });
    try {
      const pid = engine.child.pid;
      if (pid === undefined) throw new Error("the engine has no pid");
      // A loaded engine starts the last of 1,000 flows while running the others: 720 of 1,000
      // had delivered after 300 s on a busy 2-core machine.
      const startS = Math.max(300, count * 0.9);
      const deadline = Date.now() + startS * 1000;
      while (count > 0) {
        const flowing = await db.nodeStats.count({ where: { nodeId: "out", recordsIn: { gt: 0 } } });
        if (flowing === count) {
          const seconds = (performance.now() - engineStarted) / 1000;
          log(`  all ${String(count)} flows delivering ${seconds.toFixed(1)} s after the engine started`);
          break;
        }
        if (Date.now() > deadline)
          throw new Error(
            `only ${String(flowing)} of ${String(count)} flows delivered within ${String(startS)} s`,
          );
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      return await measure(
        pid,
        level,
        () => sinkRecords(db),
        () => descendantsCpuSeconds(process.pid, "postgres"),
        () => transactionCount(db),
      );
    } catch (error) {
      log(`engine output (last 5,000 characters):\n${engine.output().slice(-5000)}`);
      throw error;
    } finally {
      await engine.stop();
    }
  } finally {
    await db.$disconnect();
    await pg.stop();
  }
}

async function measureNodeRed(level: Level): Promise<Measured> {
  const nodeRed = await startNodeRed(level.flows, level.idle);
  try {
    return await measure(nodeRed.pid, level, () => Promise.resolve(nodeRed.received()));
  } finally {
    await nodeRed.stop();
  }
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const pct = (value: number): string => value.toFixed(2);

async function main(): Promise<void> {
  // The engine as it ships: bundled to JavaScript, as the production image and `npm start` run it.
  await useEngineBundle("bench-engine");
  const nodeRedVersion = ONLY === "engine" ? "" : await ensureNodeRed(log);
  const levels: Level[] = [
    ...FLOWS.map((flows) => ({ flows, idle: false, label: String(flows) })),
    ...IDLE.map((flows) => ({ flows, idle: true, label: `${String(flows)} idle` })),
  ];
  const engine = new Map<Level, Measured>();
  const nodeRed = new Map<Level, Measured>();
  const started = performance.now();
  for (const level of levels) {
    if (ONLY !== "node-red") {
      log(`engine, ${level.label} flows ...`);
      engine.set(level, await measureEngine(level));
    }
    if (ONLY !== "engine") {
      log(`node-red ${nodeRedVersion}, ${level.label} flows ...`);
      nodeRed.set(level, await measureNodeRed(level));
    }
  }

  const summary = (m: Measured | undefined) =>
    m && {
      cpu: median(m.windows.map((w) => w.cpuPercent)),
      cpuRange: `${pct(Math.min(...m.windows.map((w) => w.cpuPercent)))}–${pct(Math.max(...m.windows.map((w) => w.cpuPercent)))}`,
      other: median(m.windows.map((w) => w.otherCpuPercent)),
      transactions: median(m.transactions),
      rss: median(m.windows.map((w) => w.rss)),
      rate: median(m.rates),
    };
  const empty = levels.find((level) => level.flows === 0 && !level.idle);
  const idleEngine = summary(empty && engine.get(empty));
  const idleNodeRed = summary(empty && nodeRed.get(empty));
  log("");
  log(
    `density: N flows of 10 records/s (idle: none after the first); medians of ${String(WINDOWS)} windows of ${String(WINDOW_S)} s after ${String(WARMUP_S)} s warm-up; run took ${((performance.now() - started) / 60_000).toFixed(1)} min`,
  );
  log(
    `engine = Weir engine process (generator → js → log); node-red = Node-RED ${nodeRedVersion} (inject → function → function)`,
  );
  log(
    "CPU in % of one core (min–max of the windows); per-flow RSS = (RSS − RSS with 0 flows) / N; idle CPU/100 flows = (CPU − CPU with 0 flows) / N × 100",
  );
  log(
    "         N  system    records/s  delivered  CPU %   (range)        µs CPU/record  idle CPU/100 flows  Postgres CPU %  Postgres xact/s  RSS MB  RSS MB/flow",
  );
  for (const level of levels) {
    for (const [name, m, base] of [
      ["engine", summary(engine.get(level)), idleEngine],
      ["node-red", summary(nodeRed.get(level)), idleNodeRed],
    ] as const) {
      if (!m) continue;
      const perRecord = !level.idle && m.rate > 0 ? ((m.cpu / 100) * 1e6) / m.rate : NaN;
      const perFlow = level.flows > 0 && base ? mb((m.rss - base.rss) / level.flows) : "-";
      const delivered =
        !level.idle && level.flows > 0
          ? `${((m.rate / (level.flows * RATE_PER_FLOW)) * 100).toFixed(0)}%`
          : "-";
      const idleCpu = level.idle && base ? (((m.cpu - base.cpu) / level.flows) * 100).toFixed(3) : "-";
      log(
        `${level.label.padStart(10)}  ${name.padEnd(8)}  ${m.rate.toFixed(0).padStart(9)}  ${delivered.padStart(9)}  ${pct(m.cpu).padStart(5)}   ${`(${m.cpuRange})`.padEnd(13)}  ${(Number.isNaN(perRecord) ? "-" : perRecord.toFixed(0)).padStart(13)}  ${idleCpu.padStart(18)}  ${(name === "engine" ? pct(m.other) : "-").padStart(14)}  ${(name === "engine" ? m.transactions.toFixed(0) : "-").padStart(15)}  ${mb(m.rss).padStart(6)}  ${perFlow.padStart(11)}`,
      );
    }
  }
  log("");
  log("ratios engine / node-red (medians): CPU, RSS, RSS per flow, idle CPU per flow");
  for (const level of levels) {
    const e = summary(engine.get(level));
    const n = summary(nodeRed.get(level));
    if (!e || !n) continue;
    const perFlow =
      level.flows > 0 && idleEngine && idleNodeRed
        ? `${((e.rss - idleEngine.rss) / Math.max(n.rss - idleNodeRed.rss, 1)).toFixed(2)}×`
        : "-";
    const idleCpu =
      level.idle && idleEngine && idleNodeRed
        ? `  idle CPU/flow ${((e.cpu - idleEngine.cpu) / Math.max(n.cpu - idleNodeRed.cpu, 0.01)).toFixed(2)}×`
        : "";
    log(
      `${level.label.padStart(10)}  CPU ${(e.cpu / Math.max(n.cpu, 0.01)).toFixed(2)}×  RSS ${(e.rss / n.rss).toFixed(2)}×  RSS/flow ${perFlow}${idleCpu}`,
    );
  }
}

await main();
// Something of the database client keeps the event loop alive after the run; the figures are out.
process.exit(0);
