// Issue 10's property, end to end on a real engine process and Postgres (in-process transport):
// random JSON values (NUL, lone surrogates, deep nesting, huge numbers, long strings, odd keys)
// POSTed to http-ingest go through a `js` function and a `wasm` function (built from JS code)
// into a log sink each, on the in-process and on the Kafka transport; every record arrives exactly
// once, equal to what was sent, and every node's counters account for every record.
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
// Brings in the ProvidedContext augmentation that types inject("kafkaBrokers").
import type {} from "@weir/testkit/kafka-setup";
import { expectFlowAccounted } from "../test/accounting";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { asJson, jsonValue } from "../test/json-arbitrary";
import { flowTopics, startKafkaEngine } from "../test/kafka-engines";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();
const engines: EngineProcess[] = [];
const seed = Number(process.env.WEIR_PROPERTY_SEED ?? Date.now() % 1_000_000);
const COUNT = 200;
const CHUNK = 20;

afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.stop()));
});

const transports = {
  "in-process": () => startEngine(t.url),
  kafka: () => startKafkaEngine(t.url, inject("kafkaBrokers"), `property-${randomUUID().slice(0, 6)}`),
};

const passThrough = "export default (record) => record;";

const flow: FlowSpecInput = {
  name: "random JSON through both runtimes",
  nodes: [
    {
      id: "in",
      kind: "source",
      type: "http-ingest",
      config: { maxBodyBytes: 16 * 1024 * 1024, public: true },
    },
    { id: "js", kind: "function", type: "function", config: { code: passThrough } },
    {
      id: "wasm",
      kind: "function",
      type: "function",
      config: { runtime: "wasm", code: passThrough, maxAttempts: 1 },
    },
    { id: "outJs", kind: "sink", type: "log", config: { keep: 1000 } },
    { id: "outWasm", kind: "sink", type: "log", config: { keep: 1000 } },
  ],
  edges: [
    { id: "e1", from: { node: "in", port: "out" }, to: { node: "js" } },
    { id: "e2", from: { node: "in", port: "out" }, to: { node: "wasm" } },
    { id: "e3", from: { node: "js", port: "out" }, to: { node: "outJs" } },
    { id: "e4", from: { node: "wasm", port: "out" }, to: { node: "outWasm" } },
  ],
};

describe.each(Object.keys(transports) as (keyof typeof transports)[])(
  "random JSON values through ingest, both runtimes and the log sink, transport=%s (property)",
  (transport) => {
    it("delivers every record exactly once, as sent, and accounts for all of them", async () => {
      console.log(`accounting property (${transport}) seed: ${seed} (WEIR_PROPERTY_SEED to replay)`);
      const engine = await transports[transport]();
      engines.push(engine);
      try {
        await deliversEverything(transport);
      } finally {
        // The next transport's engine must not find this one claiming its deployments.
        await engine.stop();
      }
    }, 150_000);
  },
);

async function deliversEverything(transport: keyof typeof transports): Promise<void> {
  // "__proto__" keys included: ingest keeps them (it dropped them once, through zod's parsed copy).
  const values = fc.sample(jsonValue({ maxLongString: 5000 }), { numRuns: COUNT, seed });
  expect(
    values.filter((value) => JSON.stringify(value).includes('"__proto__":')).length,
    "values with __proto__ keys",
  ).toBeGreaterThan(0);
  const created = await t.api.flow.create(flow);
  await t.api.deployment.deploy({ flowId: created.id });
  await eventually(
    async () =>
      (await t.api.deployment.status({ flowId: created.id }))?.actualState === "running" ? true : undefined,
    "running",
    60_000,
  );
  // The other transport's engine stopped at the end of its test (and unregistered).
  const instance = (await t.api.engine.list()).find((e) => e.alive);
  const url = `${instance?.ingestUrl ?? ""}/ingest/${created.id}/in`;

  let accepted = 0;
  for (let start = 0; start < COUNT; start += CHUNK) {
    const body = values
      .slice(start, start + CHUNK)
      .map((value, offset) => ({ key: `k${start + offset}`, value }));
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    accepted += ((await response.json()) as { accepted: number }).accepted;
  }
  expect(accepted).toBe(COUNT);

  const read = async (nodeId: string) =>
    (await t.api.logs.read({ flowId: created.id, nodeId, limit: 1000 })).map(
      (row) => row.record as { key: string; value: unknown },
    );
  const deadLetters = async () => t.api.deadLetters.list({ flowId: created.id, limit: 1000 });
  // Done when every record reached its sink or a dead letter on each branch.
  await eventually(
    async () => {
      const [js, wasm, letters] = await Promise.all([read("outJs"), read("outWasm"), deadLetters()]);
      const lettersOf = (nodeId: string) => letters.filter((letter) => letter.nodeId === nodeId).length;
      return js.length + lettersOf("js") >= COUNT && wasm.length + lettersOf("wasm") >= COUNT
        ? true
        : undefined;
    },
    "every record settled on both branches",
    45_000,
  );
  const letters = await deadLetters();
  expect(
    letters.map((letter) => ({ node: letter.nodeId, error: letter.error, value: letter.record })),
    "no record dead-lettered",
  ).toEqual([]);

  const expected = new Map(values.map((value, index) => [`k${index}`, asJson(value)]));
  for (const nodeId of ["outJs", "outWasm"]) {
    const records = await read(nodeId);
    const keys = records.map((record) => record.key);
    expect(new Set(keys).size, `${nodeId}: each record once`).toBe(keys.length);
    expect(keys.length, `${nodeId}: every record`).toBe(COUNT);
    for (const record of records)
      expect(record.value, `${nodeId} ${record.key}`).toEqual(expected.get(record.key));
  }

  await t.api.deployment.stop({ flowId: created.id });
  const stopped = await eventually(async () => {
    const status = await t.api.deployment.status({ flowId: created.id });
    return status?.actualState === "stopped" ? status : undefined;
  }, "stopped");
  expect(stopped.error).toBeNull();
  const stats = await expectFlowAccounted(t, created.id, flow);
  const node = (id: string) => stats.find((n) => n.nodeId === id);
  expect(node("in")?.recordsOut).toBe(COUNT);
  // The records did cross the transport under test.
  if (transport === "kafka") expect(await flowTopics(inject("kafkaBrokers"), created.id)).toHaveLength(4);
  for (const id of ["js", "wasm", "outJs", "outWasm"])
    expect(node(id)?.accounting, id).toEqual({ completed: COUNT, deadLettered: 0, inFlight: 0 });
}
