// `npm run bench:requests` at the root: (1) a one-function request/response flow
// (http-request → js → http-response) against a direct call of the same function (a plain Node
// HTTP server running it in its own process), both loaded by autocannon at the same fixed rate
// on loopback: latency p50/p99 and what the flow adds; (2) the generator → js → log flow's
// throughput with tracing off and on (spans exported over OTLP to a real OpenTelemetry Collector,
// test/otel-collector.ts), runs alternated, medians and their ratio; (3) the flow of (1) on the
// Kafka transport, on one engine and across two (the request entering on the engine holding the
// deployment, the function and response sink spread over both), against the same direct call.
// Not part of `npm test`.
//   BENCH_PARTS=latency,kafka,tracing   which of (1), (3), (2) to run
//   KAFKA_BROKERS=host:port use a running broker for (3) instead of starting one
//   BENCH_RATE=500          requests/s for the latency runs
//   BENCH_SECONDS=10        length of each latency run
//   BENCH_RECORDS=100000    records per throughput run
//   BENCH_RUNS=3            throughput runs per setting
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import autocannon from "autocannon";
import { createCaller } from "@weir/api";
import { createDb } from "@weir/db";
import type { FlowSpecInput } from "@weir/domain";
import { startTestPostgres } from "@weir/testkit";
import { startKafka } from "@weir/testkit/kafka";
import { testInstallationKeys } from "@weir/testkit/test-keys";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { startKafkaEngine } from "../test/kafka-engines";
import { startCollector } from "../test/otel-collector";
import { engineTestAdmin } from "../test/test-principal";

const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PARTS = new Set((process.env.BENCH_PARTS ?? "latency,kafka,tracing").split(","));
const FUNCTION = "(r) => ({ value: { doubled: r.value.n * 2 } })";

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The same function behind a bare HTTP server in its own process: the "direct call". */
async function startDirect(): Promise<{ url: string; child: ChildProcess }> {
  const script = `
    const fn = ${FUNCTION};
    const server = require("node:http").createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const out = fn({ key: null, value: JSON.parse(body), headers: {}, timestamp: Date.now() });
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        res.end(JSON.stringify(out.value) + "\\n");
      });
    });
    server.listen(0, "127.0.0.1", () => console.log("port " + server.address().port));`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve) => {
    child.stdout.on("data", (chunk: Buffer) => {
      const match = /port (\d+)/.exec(chunk.toString());
      if (match?.[1]) resolve(match[1]);
    });
  });
  return { url: `http://127.0.0.1:${port}/`, child };
}

async function load(url: string): Promise<{ p50: number; p99: number; rps: number; errors: number }> {
  const result = await autocannon({
    url,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ n: 21 }),
    connections: 32,
    overallRate: RATE,
    duration: SECONDS,
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

const postgres = await startTestPostgres();
const db = createDb(postgres.databaseUrl, testInstallationKeys());
const api = createCaller({ db, principal: engineTestAdmin });

/** Deploys and returns the flow's id and the ingest URL of the engine holding the deployment. */
async function deploy(spec: FlowSpecInput): Promise<{ flowId: string; holderUrl: string }> {
  const flow = await api.flow.create(spec);
  const deployment = await api.deployment.deploy({ flowId: flow.id });
  const engineId = await eventually(async () => {
    const row = await db.deployment.findUniqueOrThrow({ where: { id: deployment.id } });
    return row.actualState === "running" && row.engineId !== null ? row.engineId : undefined;
  }, "running");
  const holder = await db.engineInstance.findUniqueOrThrow({ where: { id: engineId } });
  return { flowId: flow.id, holderUrl: holder.ingestUrl };
}

async function ingestUrl(): Promise<string> {
  const engines = await api.engine.list();
  const url = engines.at(-1)?.ingestUrl;
  if (url === undefined) throw new Error("no engine");
  return url;
}

// (1) and (3) Latency: the flow against the direct call, at the same rate.
const REQUEST_FLOW: FlowSpecInput = {
  name: "bench request/response",
  nodes: [
    { id: "req", kind: "source", type: "http-request", config: { public: true } },
    { id: "fn", kind: "function", type: "function", config: { code: `export default ${FUNCTION}` } },
    { id: "res", kind: "sink", type: "http-response", config: {} },
  ],
  edges: [
    { id: "e1", from: { node: "req", port: "out" }, to: { node: "fn" } },
    { id: "e2", from: { node: "fn", port: "out" }, to: { node: "res" } },
  ],
};

async function latency(label: string, startEngines: () => Promise<EngineProcess[]>): Promise<void> {
  const engines = await startEngines();
  const { flowId, holderUrl } = await deploy(REQUEST_FLOW);
  const flowUrl = `${holderUrl}/ingest/${flowId}/req`;
  const direct = await startDirect();
  // Warm both (JIT, sandbox, consumer groups), then alternate them, RUNS each, and take the medians.
  await load(direct.url);
  await load(flowUrl);
  const runs: Record<"direct" | "flow", Awaited<ReturnType<typeof load>>[]> = { direct: [], flow: [] };
  for (let run = 0; run < RUNS; run++) {
    runs.direct.push(await load(direct.url));
    runs.flow.push(await load(flowUrl));
  }
  const summary = (all: Awaited<ReturnType<typeof load>>[]) => ({
    p50: median(all.map((r) => r.p50)),
    p99: median(all.map((r) => r.p99)),
    rps: median(all.map((r) => r.rps)),
    errors: all.reduce((sum, r) => sum + r.errors, 0),
  });
  const baseline = summary(runs.direct);
  const flow = summary(runs.flow);
  log(
    `request/response, ${label}, at ${RATE} req/s, ${RUNS} alternated runs of ${SECONDS} s each, medians (autocannon, 32 connections, loopback):`,
  );
  log(
    `  direct call   p50 ${baseline.p50} ms  p99 ${baseline.p99} ms  (${baseline.rps.toFixed(0)} req/s, ${baseline.errors} errors)`,
  );
  log(
    `  flow          p50 ${flow.p50} ms  p99 ${flow.p99} ms  (${flow.rps.toFixed(0)} req/s, ${flow.errors} errors)`,
  );
  log(
    `  added         p50 ${(flow.p50 - baseline.p50).toFixed(2)} ms  p99 ${(flow.p99 - baseline.p99).toFixed(2)} ms  (targets < 5 ms, < 20 ms)`,
  );
  direct.child.kill();
  await api.deployment.stop({ flowId });
  await Promise.all(engines.map((engine) => engine.stop()));
}

if (PARTS.has("latency")) {
  await latency("in-process transport", async () => [
    await startEngine(postgres.databaseUrl, { WEIR_RECONCILE_MS: "200" }),
  ]);
}

if (PARTS.has("kafka")) {
  const kafka = process.env.KAFKA_BROKERS ? undefined : await startKafka();
  const brokers = process.env.KAFKA_BROKERS ?? kafka?.brokers ?? "";
  const kafkaEngine = (id: string) =>
    startKafkaEngine(postgres.databaseUrl, brokers, `bench-${id}-${String(process.pid)}`, {
      WEIR_RECONCILE_MS: "200",
      WEIR_LEASE_MS: "15000",
    });
  await latency("Kafka transport, one engine", async () => [await kafkaEngine("solo")]);
  // Both engines in every consumer group before the load starts, so no rebalance runs under it.
  await latency("Kafka transport, two engines", async () => [await kafkaEngine("a"), await kafkaEngine("b")]);
  await kafka?.stop();
}

// (2) Throughput of generator → js → log with tracing off and on.
async function metricIn(engineUrl: string, deploymentId: string, node: string): Promise<number> {
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

async function throughput(): Promise<number> {
  const flowId = await api.flow
    .create({
      name: "bench tracing",
      nodes: [
        { id: "gen", kind: "source", type: "generator", config: { intervalMs: 0, count: RECORDS } },
        {
          id: "fn",
          kind: "function",
          type: "function",
          config: { code: `export default ${FUNCTION.replace("r.value.n", "r.value.seq")}` },
        },
        { id: "out", kind: "sink", type: "log", config: { keep: 10 } },
      ],
      edges: [
        { id: "e1", from: { node: "gen", port: "out" }, to: { node: "fn" } },
        { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
      ],
    })
    .then((flow) => flow.id);
  await api.deployment.deploy({ flowId });
  const deployment = await eventually(async () => {
    const status = await api.deployment.status({ flowId });
    return status?.actualState === "running" ? status : undefined;
  }, "running");
  const url = await ingestUrl();
  const started = performance.now();
  let last = 0;
  let lastAt = started;
  let firstAt: number | undefined;
  while (last < RECORDS) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = await metricIn(url, deployment.id, "out");
    if (now > 0 && firstAt === undefined) firstAt = performance.now();
    if (now !== last) lastAt = performance.now();
    last = now;
    if (performance.now() - started > 300_000) throw new Error(`only ${last} of ${RECORDS} records arrived`);
  }
  await api.deployment.stop({ flowId });
  return RECORDS / ((lastAt - (firstAt ?? started)) / 1000);
}

if (PARTS.has("tracing")) {
  const collector = await startCollector("basic");
  // Off (nothing wrapped); on, every trace recorded; on, 1 trace in 100 recorded (`npm run
  // bench:tracing` also measures the default sampler).
  const SETTINGS = {
    off: { OTEL_SDK_DISABLED: "true" },
    on: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_TRACES_SAMPLER: "always_on" },
    "on 1%": {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.01",
    },
  } satisfies Record<string, Record<string, string>>;
  const rates: Record<keyof typeof SETTINGS, number[]> = { off: [], on: [], "on 1%": [] };
  for (let run = 0; run < RUNS; run++) {
    for (const setting of Object.keys(SETTINGS) as (keyof typeof SETTINGS)[]) {
      const env: Record<string, string> = SETTINGS[setting];
      const engine = await startEngine(postgres.databaseUrl, { WEIR_RECONCILE_MS: "200", ...env });
      const rate = await throughput();
      rates[setting].push(rate);
      log(`  run ${run + 1} tracing ${setting}: ${rate.toFixed(0)} records/s`);
      await engine.stop();
    }
  }
  const off = median(rates.off);
  log(
    `generator → js → log, ${RECORDS} records, median of ${RUNS} runs each (spans to an OpenTelemetry Collector over OTLP/HTTP):`,
  );
  for (const setting of Object.keys(SETTINGS) as (keyof typeof SETTINGS)[]) {
    const rate = median(rates[setting]);
    log(
      `  tracing ${setting.padEnd(6)} ${rate.toFixed(0).padStart(7)} records/s  ratio to off ${(rate / off).toFixed(3)}`,
    );
  }
  log("  (target: on within 10% of off, ratio ≥ 0.90)");
  await collector.stop();
}
await db.$disconnect();
await postgres.stop();
process.exit(0);
