// `npm run bench:python` at the root (also part of `npm run bench`): the `python` runtime on the
// 335-byte JSON transform next to the `js` runtime on the same records in the same run, as
// records/s and µs per record by batch size. The python baseline ("python direct") is the same
// handler called in a plain CPython loop over already-decoded records, so "overhead" is what the
// runtime adds (sandboxed process, JSON over pipes, record checks, the contract's bookkeeping).
// Not part of `npm test`.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import os from "node:os";
import { SILENT_FUNCTION_HOST } from "@weir/domain";
import type { FunctionInstance, FunctionSpec, WeirRecord } from "@weir/domain";
import { jsRuntime } from "@weir/runtime-js";
import { pythonRuntime } from "@weir/runtime-python";
import { BENCH_ORDER_TRANSFORM, benchOrder } from "@weir/testkit/bench-orders";

/** An order of a web shop: about 335 bytes of JSON (the runtime benchmarks' record). */
const JS_TRANSFORM = BENCH_ORDER_TRANSFORM;

const PYTHON_TRANSFORM = `def handle(record, ctx):
    order = record["value"]
    total = 0
    for item in order["items"]:
        total += item["price"] * item["qty"]
    return {
        "value": {
            "orderId": order["id"],
            "customer": order["customer"]["name"],
            "email": order["customer"]["email"],
            "total": total,
            "itemCount": len(order["items"]),
            "currency": order["currency"],
            "processed": True,
        }
    }
`;

const BATCH_SIZES = [1, 100, 1000];
const REPETITIONS = 3;
const MIN_RECORDS = 2_000;
const MIN_MS = 500;

const host = SILENT_FUNCTION_HOST;

function spec(code: string, language: FunctionSpec["language"]): FunctionSpec {
  return {
    nodeId: "bench",
    code,
    language,
    params: {},
    ports: ["out"],
    timeoutMs: 30_000,
    memoryLimitMb: 256,
  };
}

/** CPU µs this process's descendants (bubblewrap and the Python workers) have used so far. */
function descendantsCpuMicros(): number {
  const parents = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name: state, ppid, …; utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      parents.set(Number(entry), Number(fields[1]));
      cpu.set(Number(entry), ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS);
    } catch {
      // The process ended while the list was read.
    }
  }
  let total = 0;
  for (const [pid, micros] of cpu) {
    for (let at = parents.get(pid); at !== undefined && at > 1; at = parents.get(at)) {
      if (at === process.pid) {
        total += micros;
        break;
      }
    }
  }
  return total;
}

const CLOCK_TICKS = 100;

interface Measured {
  /** Wall-clock µs per record. */
  wall: number;
  /** CPU µs per record of this process and its workers: steady on a busy machine. */
  cpu: number;
}

async function measure(instance: FunctionInstance, batch: readonly WeirRecord[]): Promise<Measured> {
  const started = performance.now();
  const hostCpu = process.cpuUsage();
  const workersCpu = descendantsCpuMicros();
  let records = 0;
  while (records < MIN_RECORDS || performance.now() - started < MIN_MS) {
    const outcomes = await instance.process(batch);
    if (!outcomes.every((outcome) => outcome.ok))
      throw new Error(`a record failed: ${JSON.stringify(outcomes[0])}`);
    records += batch.length;
  }
  const host = process.cpuUsage(hostCpu);
  return {
    wall: ((performance.now() - started) * 1000) / records,
    cpu: (host.user + host.system + descendantsCpuMicros() - workersCpu) / records,
  };
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Medians of REPETITIONS runs, after a warm-up. */
async function microsPerRecord(instance: FunctionInstance, batch: readonly WeirRecord[]): Promise<Measured> {
  await measure(instance, batch);
  const runs: Measured[] = [];
  for (let i = 0; i < REPETITIONS; i++) runs.push(await measure(instance, batch));
  return { wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)) };
}

/** µs per record of the handler in a plain CPython loop (the same interpreter, no sandbox). */
function pythonDirect(): number {
  const script = `
import json, time
${PYTHON_TRANSFORM}
records = json.loads(${JSON.stringify(JSON.stringify(Array.from({ length: 1000 }, (_, i) => benchOrder(i))))})
runs = []
for _ in range(4):
    started = time.perf_counter()
    n = 0
    while n < 200_000:
        for r in records:
            handle(r, None)
        n += len(records)
    runs.append((time.perf_counter() - started) * 1e6 / n)
runs = sorted(runs[1:])
print(runs[1])
`;
  return Number(execFileSync("/usr/bin/python3", ["-I", "-"], { input: script, encoding: "utf8" }).trim());
}

const format = (n: number, digits = 1): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main(): Promise<void> {
  const cpu = os.cpus()[0]?.model ?? "unknown cpu";
  const records = Array.from({ length: Math.max(...BATCH_SIZES) }, (_, i) => benchOrder(i));
  process.stdout.write(
    `python runtime benchmark — Node ${process.version}, ${os.cpus().length} × ${cpu}, load ${os
      .loadavg()
      .map((n) => n.toFixed(1))
      .join(" ")}\n` +
      `JSON transform of orders of ${JSON.stringify(benchOrder(0)).length} bytes; medians of ${REPETITIONS} runs ` +
      `(each ≥ ${MIN_RECORDS} records and ≥ ${MIN_MS} ms, after a warm-up). Target: python ≥ 50,000 records/s batched.\n\n`,
  );
  const direct = pythonDirect();
  process.stdout.write(`python direct (a CPython loop, no runtime): ${format(direct, 2)} µs/record\n\n`);
  const header = ["runtime".padEnd(8), ...BATCH_SIZES.map((n) => `batch ${n}`.padStart(30))].join("  ");
  process.stdout.write(`${header}\n${"-".repeat(header.length)}\n`);
  const measured = new Map<string, Measured[]>();
  for (const [name, create] of [
    ["js", () => jsRuntime.createInstance(spec(JS_TRANSFORM, "javascript"), host)],
    ["python", () => pythonRuntime.createInstance(spec(PYTHON_TRANSFORM, "python"), host)],
  ] as const) {
    const instance = await create();
    const cells: Measured[] = [];
    for (const size of BATCH_SIZES) cells.push(await microsPerRecord(instance, records.slice(0, size)));
    await instance.close();
    measured.set(name, cells);
    process.stdout.write(
      [
        name.padEnd(8),
        ...cells.map((m) => `${format(1e6 / m.wall, 0)} rec/s (${format(m.wall, 1)} µs)`.padStart(30)),
      ].join("  ") + "\n",
    );
  }
  process.stdout.write(
    "\nrecords per CPU-second (this process and its workers; steadier than wall time on a busy machine)\n",
  );
  for (const [name, cells] of measured) {
    process.stdout.write(
      [
        name.padEnd(8),
        ...cells.map((m) => `${format(1e6 / m.cpu, 0)} rec/cpu-s (${format(m.cpu, 1)} µs)`.padStart(30)),
      ].join("  ") + "\n",
    );
  }
  const js = measured.get("js") ?? [];
  const python = measured.get("python") ?? [];
  const ratio = (pick: (m: Measured) => number): string =>
    BATCH_SIZES.map((n, i) => {
      const j = js[i];
      const p = python[i];
      return `batch ${n} ${j && p ? format(pick(j) / pick(p), 2) : "?"}×`;
    }).join(", ");
  process.stdout.write(
    `\npython / js records/s: ${ratio((m) => m.wall)}; per CPU-second: ${ratio((m) => m.cpu)}\n` +
      `python overhead per record (runtime − direct, CPU): ${BATCH_SIZES.map((n, i) => `batch ${n} ${format((python[i]?.cpu ?? 0) - direct, 1)} µs`).join(", ")}\n`,
  );
}

await main();
