// Node-RED for the flow benchmark (nodered-flow.bench.ts): started from a temp userDir (editor and
// HTTP nodes off) with one flow of inject (once) → function (the generator, filling the engine
// side's BENCH_ORDER_TEMPLATE) → function (the same
// JSON transform as the engine's js node) → function (the sink, counting). The generator keeps at
// most WINDOW records in flight (Node-RED has no backpressure of its own: without it, a million
// queued messages measure the garbage collector). Node-RED itself comes from
// density/node-red.ts's ensureNodeRed (installed from npm into .weir/node-red on first use).
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BENCH_ORDER_TEMPLATE } from "@weir/testkit/bench-orders";
import { cpuSeconds } from "../density/proc-usage";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const redJs = path.join(repoRoot, ".weir", "node-red", "node_modules", "node-red", "red.js");
/** Records sent but not yet counted by the sink, at most. */
const WINDOW = 2_000;

/**
 * The generator's function-node body: `records` orders filled from the engine side's generator
 * template (BENCH_ORDER_TEMPLATE, "{{seq}}" the record's number from 0) and keyed as its records
 * ("customer-{{seq}}"), so both systems carry the same values. The template is compiled once, as the
 * engine's generator does (packages/connectors/src/generator/template.ts): a string that is
 * exactly "{{seq}}" becomes the number, placeholders in longer strings are replaced as text.
 */
function generatorBody(records: number): string {
  return `
const total = ${String(records)};
const template = ${JSON.stringify(BENCH_ORDER_TEMPLATE)};
function compile(t) {
  if (typeof t === "string") {
    if (t === "{{seq}}") return (seq) => seq;
    if (!t.includes("{{seq}}")) return () => t;
    const parts = t.split("{{seq}}");
    return (seq) => parts.join(String(seq));
  }
  if (Array.isArray(t)) {
    const items = t.map(compile);
    return (seq) => items.map((item) => item(seq));
  }
  if (t !== null && typeof t === "object") {
    const fields = Object.entries(t).map(([key, value]) => [key, compile(value)]);
    return (seq) => {
      const out = {};
      for (const [key, render] of fields) out[key] = render(seq);
      return out;
    };
  }
  return () => t;
}
const order = compile(template);
let sent = 0;
node.warn("nodered-start");
const started = Date.now();
global.set("started", started);
function more() {
  const received = global.get("received") || 0;
  const until = Math.min(total, received + ${String(WINDOW)});
  for (; sent < until; sent++) node.send({ topic: "customer-" + sent, payload: order(sent) });
  if (sent < total) setTimeout(more, 0);
}
more();
return null;`;
}

/** The transform, as a Node-RED function node writes it (the record's value is msg.payload). */
const TRANSFORM_BODY = `
const order = msg.payload;
let total = 0;
for (const item of order.items) total += item.price * item.qty;
msg.payload = {
  orderId: order.id,
  customer: order.customer.name,
  email: order.customer.email,
  total,
  itemCount: order.items.length,
  currency: order.currency,
  processed: true,
};
return msg;`;

function sinkBody(records: number): string {
  return `
const received = (global.get("received") || 0) + 1;
global.set("received", received);
if (received === ${String(records)}) node.warn("nodered-done " + (Date.now() - global.get("started")) + " " + msg.payload.orderId);
return null;`;
}

function flow(records: number): unknown[] {
  const fn = (id: string, func: string, wires: string[][]): unknown => ({
    id,
    type: "function",
    z: "bench",
    func,
    outputs: wires.length,
    wires,
  });
  return [
    { id: "bench", type: "tab", label: "bench" },
    {
      id: "start",
      type: "inject",
      z: "bench",
      props: [{ p: "payload" }],
      repeat: "",
      once: true,
      onceDelay: 1,
      payload: "",
      payloadType: "date",
      wires: [["gen"]],
    },
    fn("gen", generatorBody(records), [["transform"]]),
    fn("transform", TRANSFORM_BODY, [["sink"]]),
    fn("sink", sinkBody(records), []),
  ];
}

export interface NodeRedRun {
  /** From the generator's first record to the sink's last, as Node-RED timed it. */
  elapsedMs: number;
  /** Node-RED's process CPU over the run (read when the start and done lines arrived). */
  cpuSeconds: number;
  /** The last record's orderId as the sink saw it (checks the transform ran). */
  lastOrderId: string;
}

/** Starts Node-RED, runs `records` through the flow once, stops it. */
export async function runNodeRedFlow(records: number): Promise<NodeRedRun> {
  const userDir = await mkdtemp(path.join(tmpdir(), "weir-nodered-flow-"));
  await writeFile(path.join(userDir, "flows.json"), JSON.stringify(flow(records)));
  await writeFile(
    path.join(userDir, "settings.js"),
    `module.exports = {
  flowFile: "flows.json",
  uiPort: 0,
  httpAdminRoot: false,
  httpNodeRoot: false,
  credentialSecret: false,
  logging: { console: { level: "info", metrics: false, audit: false } },
  editorTheme: { projects: { enabled: false } },
};
`,
  );
  const child = spawn(
    process.execPath,
    [redJs, "--userDir", userDir, "--settings", path.join(userDir, "settings.js")],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error("node-red has no pid");
  let output = "";
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      resolve();
    }),
  );
  try {
    return await new Promise<NodeRedRun>((resolve, reject) => {
      let cpuAtStart: Promise<number> | undefined;
      const timer = setTimeout(() => {
        reject(
          new Error(
            `node-red did not finish ${String(records)} records within 600 s:\n${output.slice(-5000)}`,
          ),
        );
      }, 600_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (cpuAtStart === undefined && output.includes("nodered-start")) cpuAtStart = cpuSeconds(pid);
        const done = /nodered-done (\d+) (\S+)/.exec(output);
        if (done && cpuAtStart) {
          clearTimeout(timer);
          const atStart = cpuAtStart;
          void cpuSeconds(pid).then(async (atEnd) => {
            resolve({
              elapsedMs: Number(done[1]),
              cpuSeconds: atEnd - (await atStart),
              lastOrderId: done[2] ?? "",
            });
          }, reject);
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`node-red exited before the run finished:\n${output.slice(-5000)}`));
      });
    });
  } finally {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    await rm(userDir, { recursive: true, force: true });
  }
}
