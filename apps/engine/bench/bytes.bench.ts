// `npm run bench:bytes` at the root: 1 GiB PUT (as `curl -T` sends it) through a two-function
// byte pipeline (http-request → js XOR → js XOR → http-response, test/byte-pipeline.ts) on a real
// engine process, beside a same-run baseline of the same upload through http-request →
// http-response alone (the transport and HTTP without functions). Prints MB/s, the engine's RSS
// growth (peak during the run over its RSS before it) and the time to the first answer byte,
// against issue 17's targets (≥ 200 MB/s, < 150 MB, < 50 ms); every answer is checked by SHA-256.
// Not part of `npm test`.
//   BENCH_BYTES_MIB=1024   size of the upload
//   BENCH_ENGINE_NODE_OPTIONS=…  node options for the engine process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`
//                          (a V8 CPU profile written when it stops) or `--trace-gc`
//   BENCH_ENGINE_LOG=file  the engine's output is written there at the end
import { writeFileSync } from "node:fs";
import { createCaller } from "@weir/api";
import { createDb } from "@weir/db";
import type { FlowSpecInput } from "@weir/domain";
import { startTestPostgres } from "@weir/testkit";
import { testInstallationKeys } from "@weir/testkit/test-keys";
import { bytePipelineFlow, cpuSecondsOf, upload, watchRss } from "../test/byte-pipeline";
import type { UploadResult } from "../test/byte-pipeline";
import { eventually, startEngine } from "../test/engine-process";
import { engineTestAdmin } from "../test/test-principal";

const MIB = Number(process.env.BENCH_BYTES_MIB ?? 1024);
const SIZE = MIB * 1024 * 1024;

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const postgres = await startTestPostgres();
const db = createDb(postgres.databaseUrl, testInstallationKeys());
const api = createCaller({ db, principal: engineTestAdmin });
const engineNodeOptions = process.env.BENCH_ENGINE_NODE_OPTIONS;
const engine = await startEngine(postgres.databaseUrl, {
  WEIR_RECONCILE_MS: "200",
  ...(engineNodeOptions ? { NODE_OPTIONS: engineNodeOptions } : {}),
});

async function deploy(spec: FlowSpecInput): Promise<string> {
  const flow = await api.flow.create(spec);
  await api.deployment.deploy({ flowId: flow.id });
  await eventually(
    async () =>
      (await api.deployment.status({ flowId: flow.id }))?.actualState === "running" ? true : undefined,
    "running",
  );
  const [instance] = await api.engine.list();
  return `${instance?.ingestUrl ?? ""}/ingest/${flow.id}/req`;
}

interface Run {
  result: UploadResult;
  growth: number;
  /** CPU seconds the engine process used (all threads: its event loop and the sandboxes'). */
  engineCpu: number;
}

async function run(url: string, mask?: number): Promise<Run> {
  // Warm: sandboxes started, code optimised, before memory is watched.
  await upload(url, 16 * 1024 * 1024, mask);
  const pid = engine.child.pid ?? 0;
  const rss = watchRss(pid);
  const cpuBefore = cpuSecondsOf(pid);
  const result = await upload(url, SIZE, mask);
  const engineCpu = cpuSecondsOf(pid) - cpuBefore;
  const { baseline, peak } = rss.stop();
  if (result.status !== 200 || result.answerSha256 !== result.expectedSha256 || result.answerBytes !== SIZE)
    throw new Error(`wrong answer: status ${result.status}, ${result.answerBytes} bytes, sha256 mismatch`);
  return { result, growth: peak - baseline, engineCpu };
}

const direct = bytePipelineFlow("bench direct");
direct.name = "bench direct";
direct.nodes = (direct.nodes ?? []).filter((node) => node.kind !== "function");
direct.edges = [{ id: "e1", from: { node: "req", port: "out" }, to: { node: "res" } }];
const directUrl = await deploy(direct);
const pipelineUrl = await deploy(bytePipelineFlow("bench pipeline"));

// The direct flow's answer is the upload itself (no XOR).
const baseline = await run(directUrl, 0);
const pipeline = await run(pipelineUrl);

const mbps = (r: Run): number => SIZE / 1e6 / (r.result.totalMs / 1000);
const row = (name: string, r: Run): string =>
  `${name.padEnd(36)} ${mbps(r).toFixed(1).padStart(8)} MB/s  RSS +${(r.growth / 1e6).toFixed(1).padStart(6)} MB  ` +
  `first byte ${r.result.firstByteMs.toFixed(1).padStart(7)} ms  (${(r.result.totalMs / 1000).toFixed(1)} s)  ` +
  `engine CPU ${((r.engineCpu * 1000) / MIB).toFixed(2).padStart(6)} ms/MiB`;
const verdict = (ok: boolean): string => (ok ? "met" : "MISSED");

log(
  `${MIB} MiB upload, answers checked by SHA-256 (engine CPU: all its threads, a figure that load moves less than MB/s)`,
);
log(row("baseline: http-request → http-response", baseline));
log(row("two js functions (XOR each byte)", pipeline));
log(
  `targets: ≥ 200 MB/s ${verdict(mbps(pipeline) >= 200)}, RSS growth < 150 MB ${verdict(pipeline.growth < 150e6)}, first byte < 50 ms ${verdict(pipeline.result.firstByteMs < 50)}`,
);

await engine.stop();
const engineLog = process.env.BENCH_ENGINE_LOG;
if (engineLog) writeFileSync(engineLog, engine.output());
await postgres.stop();
process.exit(0);
