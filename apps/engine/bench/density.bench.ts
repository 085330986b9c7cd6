// `npm run bench:density` at the root: what many small flows cost. For each N it deploys N flows of
// generator (10 records/s) → js → log into a real engine process (on a fresh Postgres) and, in the
// same run, starts Node-RED (installed from npm into .weir/node-red on first use) with N flows of
// inject (0.1 s) → function → function. After a warm-up it measures each process's CPU (from
// /proc/<pid>/stat) over repeated windows and its RSS, and prints medians, per-flow figures and
// the ratios engine / Node-RED. N = 0 measures each idle, so "per flow" is (RSS − idle RSS) / N.
// Postgres's CPU is shown beside the engine's (Node-RED has no database). Not part of `npm test`.
//   BENCH_FLOWS=0,10,50,100  BENCH_WINDOWS=3  BENCH_WINDOW_S=10  BENCH_WARMUP_S=10
//   BENCH_ONLY=engine|node-red  BENCH_ENGINE_ENV="K=V,K=V" (extra engine settings)
//   BENCH_MIN_DELIVERED=0.5 (share of 10 records/s per flow below which a window fails the run)
import { createCaller } from "@weir/api";
import { createDb } from "@weir/db";
import type { Db } from "@weir/db";
import { startTestPostgres } from "@weir/testkit";
import { testInstallationKeys } from "@weir/testkit/test-keys";
import { startEngine } from "../test/engine-process";
import { engineTestAdmin } from "../test/test-principal";
import { ensureNodeRed, startNodeRed } from "./density/node-red";
import { descendantsCpuSeconds, measureWindow, median } from "./density/proc-usage";
import type { Window } from "./density/proc-usage";

const FLOWS = (process.env.BENCH_FLOWS ?? "0,10,50,100").split(",").map(Number);
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
const RATE_PER_FLOW = 10;
/**
 * A window in which the sinks got less than this share of what the sources were set to send fails
 * the run (the records/s column shows what each delivered; a busy machine delays timers).
 */
const MIN_DELIVERED = Number(process.env.BENCH_MIN_DELIVERED ?? 0.5);

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

interface Measured {
  windows: Window[];
  /** Records that reached the sinks per second, per window. */
  rates: number[];
}

/** Warms up, then measures `pid` over the windows and checks the sinks kept up. */
async function measure(
  pid: number,
  flows: number,
  received: () => Promise<number>,
  other?: () => Promise<number>,
): Promise<Measured> {
  await new Promise((resolve) => setTimeout(resolve, WARMUP_S * 1000));
  const result: Measured = { windows: [], rates: [] };
  for (let i = 0; i < WINDOWS; i++) {
    const before = await received();
    const started = performance.now();
    result.windows.push(await measureWindow(pid, WINDOW_S, other));
    const rate = ((await received()) - before) / ((performance.now() - started) / 1000);
    result.rates.push(rate);
    const last = result.windows.at(-1);
    if (last)
      log(
        `  window ${String(i + 1)}: ${rate.toFixed(0)} records/s, CPU ${last.cpuPercent.toFixed(1)}%, RSS ${(last.rss / 1024 / 1024).toFixed(0)} MB`,
      );
    if (flows > 0 && rate < flows * RATE_PER_FLOW * MIN_DELIVERED)
      throw new Error(
        `${String(flows)} flows delivered ${rate.toFixed(0)} records/s, expected about ${String(flows * RATE_PER_FLOW)}`,
      );
  }
  return result;
}

async function createFlows(db: Db, count: number): Promise<void> {
  const api = createCaller({ principal: engineTestAdmin, db });
  for (let i = 0; i < count; i++) {
    const flow = await api.flow.create({
      name: `density ${String(i)}`,
      nodes: [
        {
          id: "gen",
          kind: "source",
          type: "generator",
          config: { intervalMs: 1000 / RATE_PER_FLOW, template: { seq: "{{seq}}", now: "{{now}}" } },
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

async function measureEngine(count: number): Promise<Measured> {
  const pg = await startTestPostgres();
  const db = createDb(pg.databaseUrl, testInstallationKeys());
  try {
    // Deployed before the engine starts, so it claims them all at once, as after a restart.
    await createFlows(db, count);
    const engine = await startEngine(pg.databaseUrl, { WEIR_RECONCILE_MS: "500", ...ENGINE_ENV });
    try {
      const pid = engine.child.pid;
      if (pid === undefined) throw new Error("the engine has no pid");
      const deadline = Date.now() + 300_000;
      while (count > 0) {
        const flowing = await db.nodeStats.count({ where: { nodeId: "out", recordsIn: { gt: 0 } } });
        if (flowing === count) break;
        if (Date.now() > deadline)
          throw new Error(`only ${String(flowing)} of ${String(count)} flows delivered within 300 s`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      return await measure(
        pid,
        count,
        () => sinkRecords(db),
        () => descendantsCpuSeconds(process.pid, "postgres"),
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

async function measureNodeRed(count: number): Promise<Measured> {
  const nodeRed = await startNodeRed(count);
  try {
    return await measure(nodeRed.pid, count, () => Promise.resolve(nodeRed.received()));
  } finally {
    await nodeRed.stop();
  }
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const pct = (value: number): string => value.toFixed(1);

async function main(): Promise<void> {
  const nodeRedVersion = ONLY === "engine" ? "" : await ensureNodeRed(log);
  const engine = new Map<number, Measured>();
  const nodeRed = new Map<number, Measured>();
  for (const count of FLOWS) {
    if (ONLY !== "node-red") {
      log(`engine, ${String(count)} flows ...`);
      engine.set(count, await measureEngine(count));
    }
    if (ONLY !== "engine") {
      log(`node-red ${nodeRedVersion}, ${String(count)} flows ...`);
      nodeRed.set(count, await measureNodeRed(count));
    }
  }

  const summary = (m: Measured | undefined) =>
    m && {
      cpu: median(m.windows.map((w) => w.cpuPercent)),
      cpuRange: `${pct(Math.min(...m.windows.map((w) => w.cpuPercent)))}–${pct(Math.max(...m.windows.map((w) => w.cpuPercent)))}`,
      other: median(m.windows.map((w) => w.otherCpuPercent)),
      rss: median(m.windows.map((w) => w.rss)),
      rate: median(m.rates),
    };
  const idleEngine = summary(engine.get(0));
  const idleNodeRed = summary(nodeRed.get(0));
  log("");
  log(
    `density: N flows of 10 records/s; medians of ${String(WINDOWS)} windows of ${String(WINDOW_S)} s after ${String(WARMUP_S)} s warm-up`,
  );
  log(
    `engine = Weir engine process (generator → js → log); node-red = Node-RED ${nodeRedVersion} (inject → function → function)`,
  );
  log("CPU in % of one core (min–max of the windows); per-flow RSS = (RSS − RSS with 0 flows) / N");
  log("    N  system    records/s  CPU %   (range)      µs CPU/record  Postgres CPU %  RSS MB  RSS MB/flow");
  for (const count of FLOWS) {
    for (const [name, m, idle] of [
      ["engine", summary(engine.get(count)), idleEngine],
      ["node-red", summary(nodeRed.get(count)), idleNodeRed],
    ] as const) {
      if (!m) continue;
      const perRecord = m.rate > 0 ? ((m.cpu / 100) * 1e6) / m.rate : NaN;
      const perFlow = count > 0 && idle ? mb((m.rss - idle.rss) / count) : "-";
      log(
        `${String(count).padStart(5)}  ${name.padEnd(8)}  ${m.rate.toFixed(0).padStart(9)}  ${pct(m.cpu).padStart(5)}   ${`(${m.cpuRange})`.padEnd(11)}  ${(Number.isNaN(perRecord) ? "-" : perRecord.toFixed(0)).padStart(13)}  ${(name === "engine" ? pct(m.other) : "-").padStart(14)}  ${mb(m.rss).padStart(6)}  ${perFlow.padStart(11)}`,
      );
    }
  }
  log("");
  log("ratios engine / node-red (medians): CPU, RSS, RSS per flow");
  for (const count of FLOWS) {
    const e = summary(engine.get(count));
    const n = summary(nodeRed.get(count));
    if (!e || !n) continue;
    const perFlow =
      count > 0 && idleEngine && idleNodeRed
        ? `${((e.rss - idleEngine.rss) / Math.max(n.rss - idleNodeRed.rss, 1)).toFixed(2)}×`
        : "-";
    log(
      `${String(count).padStart(5)}  CPU ${(e.cpu / Math.max(n.cpu, 0.01)).toFixed(2)}×  RSS ${(e.rss / n.rss).toFixed(2)}×  RSS/flow ${perFlow}`,
    );
  }
}

await main();
// Something of the database client keeps the event loop alive after the run; the figures are out.
process.exit(0);
