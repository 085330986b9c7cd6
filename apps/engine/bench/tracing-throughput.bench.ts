// `npm run bench:tracing` at the root: what tracing costs a flow. The generator → js → log flow's
// throughput in a real engine process, with tracing off (OTEL_SDK_DISABLED=true: nothing wrapped)
// and on in the ways it runs: the default sampler (parent-based, at most 10 new traces a second)
// with spans kept in memory only and also exported over OTLP/HTTP to a real OpenTelemetry
// Collector (test/otel-collector.ts); every record traced and exported. Settings alternate run by
// run in one process; medians and their ratio to off. Not part of `npm test`.
//   BENCH_RECORDS=100000    records per run
//   BENCH_RUNS=5            runs per setting
//   BENCH_SETTINGS=off,default,default+otlp,all+otlp   which settings (off always runs)
import { createCaller } from "@weir/api";
import { createDb } from "@weir/db";
import { startTestPostgres } from "@weir/testkit";
import { testInstallationKeys } from "@weir/testkit/test-keys";
import { eventually, startEngine } from "../test/engine-process";
import { startCollector } from "../test/otel-collector";
import { engineTestAdmin } from "../test/test-principal";

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const postgres = await startTestPostgres();
const db = createDb(postgres.databaseUrl, testInstallationKeys());
const api = createCaller({ db, principal: engineTestAdmin });

async function recordsIn(engineUrl: string, deploymentId: string, node: string): Promise<number> {
  const text = await (await fetch(`${engineUrl}/metrics`)).text();
  const line = text
    .split("\n")
    .find(
      (l) =>
        l.startsWith("weir_node_records_in_total{") &&
        l.includes(`deployment="${deploymentId}"`) &&
        l.includes(`node="${node}"`),
    );
  return line ? Number(line.split(" ").at(-1)) : 0;
}

/** Records a second reaching the log sink, from its first record to its last. */
async function throughput(): Promise<number> {
  const flow = await api.flow.create({
    name: "bench tracing",
    nodes: [
      { id: "gen", kind: "source", type: "generator", config: { intervalMs: 0, count: RECORDS } },
      {
        id: "fn",
        kind: "function",
        type: "function",
        config: { code: "export default (r) => ({ value: { doubled: r.value.seq * 2 } })" },
      },
      { id: "out", kind: "sink", type: "log", config: { keep: 10 } },
    ],
    edges: [
      { id: "e1", from: { node: "gen", port: "out" }, to: { node: "fn" } },
      { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
    ],
  });
  await api.deployment.deploy({ flowId: flow.id });
  const deployment = await eventually(async () => {
    const status = await api.deployment.status({ flowId: flow.id });
    return status?.actualState === "running" ? status : undefined;
  }, "running");
  const url = (await api.engine.list()).at(-1)?.ingestUrl;
  if (url === undefined) throw new Error("no engine");
  const started = performance.now();
  let last = 0;
  let lastAt = started;
  let firstAt: number | undefined;
  while (last < RECORDS) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = await recordsIn(url, deployment.id, "out");
    if (now > 0 && firstAt === undefined) firstAt = performance.now();
    if (now !== last) lastAt = performance.now();
    last = now;
    if (performance.now() - started > 300_000) throw new Error(`only ${last} of ${RECORDS} records arrived`);
  }
  await api.deployment.stop({ flowId: flow.id });
  return RECORDS / ((lastAt - (firstAt ?? started)) / 1000);
}

const collector = await startCollector("basic");
// Off; the default sampler, spans in memory only, and also exported; every record traced and exported.
const ALL_SETTINGS: Record<string, Record<string, string>> = {
  off: { OTEL_SDK_DISABLED: "true" },
  default: {},
  "default+otlp": { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint },
  "all+otlp": { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_TRACES_SAMPLER: "always_on" },
};
const chosen = (process.env.BENCH_SETTINGS ?? Object.keys(ALL_SETTINGS).join(",")).split(",");
for (const name of chosen)
  if (!(name in ALL_SETTINGS))
    throw new Error(
      `BENCH_SETTINGS: no setting '${name}' (there are ${Object.keys(ALL_SETTINGS).join(", ")})`,
    );
const SETTINGS = Object.fromEntries(
  Object.entries(ALL_SETTINGS).filter(([name]) => name === "off" || chosen.includes(name)),
);
const rates: Record<string, number[]> = {};
for (let run = 0; run < RUNS; run++) {
  for (const [setting, env] of Object.entries(SETTINGS)) {
    const engine = await startEngine(postgres.databaseUrl, { WEIR_RECONCILE_MS: "200", ...env });
    const rate = await throughput();
    (rates[setting] ??= []).push(rate);
    log(`  run ${run + 1} tracing ${setting}: ${rate.toFixed(0)} records/s`);
    await engine.stop();
  }
}
const off = median(rates.off ?? []);
log(`generator → js → log, ${RECORDS} records, median of ${RUNS} runs each:`);
for (const setting of Object.keys(SETTINGS)) {
  const rate = median(rates[setting] ?? []);
  // The machine's load drifts during a bench: each run's ratio to the off run just before it is the steadier figure.
  const paired = median((rates[setting] ?? []).map((r, i) => r / (rates.off?.[i] ?? NaN)));
  log(
    `  tracing ${setting.padEnd(12)} ${rate.toFixed(0).padStart(7)} records/s  ratio of medians ${(rate / off).toFixed(3)}  median of paired ratios ${paired.toFixed(3)}`,
  );
}
log("  (target: on within 10% of off, ratio ≥ 0.90)");
await collector.stop();
await db.$disconnect();
await postgres.stop();
process.exit(0);
