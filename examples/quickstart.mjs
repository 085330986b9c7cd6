// Creates the generator → js → log flow in generator-js-log.json, deploys it, waits for output
// and prints the last records and the per-node stats. Usage: node examples/quickstart.mjs [URL]
// It authenticates with an API token: WEIR_TOKEN, else the admin token `npm start` keeps in its
// data directory (WEIR_DATA_DIR, .weir by default).
import { readFile } from "node:fs/promises";
import path from "node:path";

const base = (process.argv[2] ?? process.env.WEIR_URL ?? "http://localhost:3000").replace(/\/$/, "");
const flow = JSON.parse(await readFile(new URL("./generator-js-log.json", import.meta.url), "utf8"));

const token =
  process.env.WEIR_TOKEN ??
  (await readFile(path.join(process.env.WEIR_DATA_DIR ?? ".weir", "admin-token"), "utf8")).trim();

async function call(procedure, input, method = "POST") {
  const url = new URL(`${base}/api/trpc/${procedure}`);
  const init = { method, headers: { "content-type": "application/json", authorization: `Bearer ${token}` } };
  if (method === "GET") url.searchParams.set("input", JSON.stringify(input));
  else init.body = JSON.stringify(input);
  const response = await fetch(url, init);
  const body = await response.json();
  if (body.error) throw new Error(`${procedure}: ${body.error.message}`);
  return body.result.data;
}

const created = await call("flow.create", flow);
console.log(`created flow ${created.id} (version ${created.version})`);
await call("deployment.deploy", { flowId: created.id });
console.log("deployed; waiting for records…");

let records = [];
for (let i = 0; i < 100 && records.length < 5; i++) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  records = await call("logs.read", { flowId: created.id, nodeId: "out", limit: 5 }, "GET");
}
if (records.length === 0) throw new Error("no records reached the log sink within 20 s");
for (const entry of records) console.log(`log: ${JSON.stringify(entry.record.value)}`);
const stats = await call("stats.get", { flowId: created.id }, "GET");
console.log(`deployment ${stats.deployment.actualState}`);
for (const node of stats.nodes)
  console.log(`stats: ${node.nodeId} in=${node.recordsIn} out=${node.recordsOut} errors=${node.errors}`);
console.log(`flow id: ${created.id}`);
