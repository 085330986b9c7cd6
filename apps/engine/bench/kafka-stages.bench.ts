// `npm run bench:kafka-stages` at the root: where a `kafka → js identity → kafka` flow spends its
// CPU per record, stage by stage, in this process and without a broker (the broker's share is
// the same for the flow and a raw pass-through). For 100-byte and 1 KB records: what the raw
// kafkajs pass-through does per record (copy the message into a produce request), against the
// flow's stages: the Kafka source's decode (JSON.parse), the js runtime's batch call (records
// into the isolate and outcomes out, as JSON text), and the Kafka sink's encode (JSON.stringify).
// Medians of 5 runs, microseconds of CPU per record. Not part of `npm test`.
import os from "node:os";
import { SILENT_FUNCTION_HOST } from "@weir/domain";
import type { KafkaMessage } from "kafkajs";
import type { WeirRecord } from "@weir/domain";
import { kafkaSinkWriter, kafkaSourceReader } from "@weir/connectors";
import type { ConnectorContext } from "@weir/connectors";
import { jsRuntime } from "@weir/runtime-js";

const BATCH = 500;
const RUNS = 5;
const MIN_MS = 400;
const CASES = [
  { name: "100 B", bytes: 100 },
  { name: "1 KB", bytes: 1024 },
];

const noop = (): void => undefined;
const host = SILENT_FUNCTION_HOST;

const ctx: ConnectorContext = {
  flowId: "bench",
  nodeId: "bench",
  signal: new AbortController().signal,
  log: { debug: noop, info: noop, warn: noop, error: noop },
};

function messages(bytes: number): KafkaMessage[] {
  const base = JSON.stringify({ i: 0, t: 0, pad: "" });
  const out: KafkaMessage[] = [];
  for (let i = 0; i < BATCH; i++) {
    const value = JSON.stringify({ i, t: Date.now(), pad: "x".repeat(Math.max(0, bytes - base.length)) });
    out.push({
      key: Buffer.from(`k${String(i % 1000)}`),
      value: Buffer.from(value),
      headers: {},
      timestamp: String(Date.now()),
      offset: String(i),
      attributes: 0,
    });
  }
  return out;
}

/** CPU microseconds per record of `step` over one batch, median of RUNS runs of at least MIN_MS. */
async function perRecord(step: () => unknown): Promise<number> {
  const runs: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    let records = 0;
    while (performance.now() - started < MIN_MS) {
      await step();
      records += BATCH;
    }
    const used = process.cpuUsage(cpu);
    if (run > 0) runs.push((used.user + used.system) / records);
  }
  runs.sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const reader = await kafkaSourceReader(
    { brokers: ["127.0.0.1:1"], topics: ["bench"], valueFormat: "json" },
    ctx,
  );
  const writer = await kafkaSinkWriter({ brokers: ["127.0.0.1:1"], topic: "bench" }, ctx);
  const instance = await jsRuntime.createInstance(
    {
      nodeId: "fn",
      code: "export default (r) => r",
      language: "javascript",
      params: {},
      ports: ["out"],
      timeoutMs: 5_000,
      memoryLimitMb: 128,
    },
    host,
  );
  process.stdout.write(
    `weir kafka stages: ${String(os.cpus().length)} cpu(s), load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}, batches of ${String(BATCH)}, CPU µs per record (median of ${String(RUNS)})\n`,
  );
  for (const c of CASES) {
    const batch = messages(c.bytes);
    const where = { topic: "bench", partition: 0 };
    const records: WeirRecord[] = batch.map((m) => {
      const decoded = reader.decode(m, where);
      if (!decoded.ok) throw new Error(decoded.error);
      return decoded.record;
    });
    const raw = await perRecord(() => batch.map((m) => ({ key: m.key, value: m.value, headers: m.headers })));
    const decode = await perRecord(() => batch.map((m) => reader.decode(m, where)));
    const sandbox = await perRecord(() => instance.process(records));
    const encode = await perRecord(() => records.map((r) => writer.encode(r)));
    const flow = decode + sandbox + encode;
    process.stdout.write(
      `${c.name}: raw pass-through copy ${raw.toFixed(2)} µs; flow ${flow.toFixed(2)} µs = ` +
        `decode ${decode.toFixed(2)} + js runtime batch call ${sandbox.toFixed(2)} + encode ${encode.toFixed(2)} ` +
        `(runtime ${((sandbox / flow) * 100).toFixed(0)}%, JSON decode+encode ${(((decode + encode) / flow) * 100).toFixed(0)}%)\n`,
    );
  }
  await instance.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
