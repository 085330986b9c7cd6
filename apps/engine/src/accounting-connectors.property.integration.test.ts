// Issue 10's property through the other sources and sinks, on a real engine process, Postgres and
// Kafka, for both transports: random JSON values (NUL, lone surrogates, deep nesting, huge numbers,
// long strings, odd keys, `__proto__` included) produced to a topic by kcat (a Kafka client nobody
// here wrote) feed a `kafka-source`, and a `generator` carries random values in its template; both
// go through a `js` and a `wasm` function into a `webhook` sink (a loopback server this test runs)
// and a `kafka-sink` (read back with kcat). Every record arrives exactly once at each sink, equal
// to what was sent, and every node's counters account for every record. One more Kafka record is
// nested 20,000 deep (ingest refuses that; a topic cannot): it may arrive intact or be dead-lettered
// with a reason, but it must not take its batch with it (a crashed wasm instance dead-lettered the
// whole batch with maxAttempts 1) nor stop the source (on the Kafka transport it failed the source
// for good, so nothing after it was ever consumed).
//
// What a path cannot carry, by design, and so is not generated for it:
// - generator: its template is stored flow config, so no NUL or lone surrogate (refused with a
//   400 at save, see packages/domain limits.ts), nesting within LIMITS.configDepth, keys within
//   LIMITS.keyChars, no `__proto__` key (zod's record drops it) and no "{{seq}}"/"{{now}}" text.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo, Server } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LIMITS, checkJsonValue } from "@weir/domain";
import type { FlowSpecInput } from "@weir/domain";
// Brings in the ProvidedContext augmentation that types inject("kafkaBrokers").
import type {} from "@weir/testkit/kafka-setup";
import { expectFlowAccounted } from "../test/accounting";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { asJson, jsonValue } from "../test/json-arbitrary";
import { flowTopics, startKafkaEngine } from "../test/kafka-engines";
import { createTopic } from "../test/kafka-engines";
import { kcatConsumeWithTombstones, kcatProduce } from "../test/kcat";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();
const seed = Number(process.env.WEIR_PROPERTY_SEED ?? Date.now() % 1_000_000);
/** Records produced to the source topic. */
const KAFKA_COUNT = 60;
/** Random values inside the generator's template, and how many records it emits. */
const TEMPLATE_VALUES = 60;
const GENERATED = 3;
const RUNTIMES = ["js", "wasm"] as const;
/** One more Kafka record, nested deeper than a recursive encoder can go (ingest refuses it; Kafka cannot). */
const DEEP = 20_000;
const DEEP_KEY = "deep";

interface Delivered {
  key: string | null;
  value: unknown;
}

let hook: Server;
let hookUrl: string;
let delivered: Delivered[] = [];
const engines: EngineProcess[] = [];

beforeAll(async () => {
  hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      delivered.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Delivered);
      res.end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
  hookUrl = `http://127.0.0.1:${String((hook.address() as AddressInfo).port)}/hook`;
});

afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.stop()));
  await new Promise((resolve) => hook.close(resolve));
});

// The webhook target is on loopback, which the outbound policy refuses by default.
const allowLoopback = { WEIR_OUTBOUND_ALLOW: "127.0.0.1" };
const transports = {
  "in-process": () => startEngine(t.url, allowLoopback),
  kafka: () =>
    startKafkaEngine(
      t.url,
      inject("kafkaBrokers"),
      `property-connectors-${randomUUID().slice(0, 6)}`,
      allowLoopback,
    ),
};

/** Each runtime tags the key, so a sink's records say which branch they came by. */
const tagKey = (runtime: string): string =>
  `export default (record) => ({ ...record, key: ${JSON.stringify(`${runtime}:`)} + record.key });`;

function connectorsFlow(brokers: string[], input: string, output: string, template: unknown): FlowSpecInput {
  return {
    name: "random JSON through every source and sink",
    nodes: [
      {
        id: "kafkaIn",
        kind: "source",
        type: "kafka-source",
        config: { brokers, topics: [input], fromBeginning: "earliest" },
      },
      {
        id: "gen",
        kind: "source",
        type: "generator",
        config: { intervalMs: 0, count: GENERATED, key: "g{{seq}}", template: template as never },
      },
      { id: "js", kind: "function", type: "function", config: { code: tagKey("js") } },
      {
        id: "wasm",
        kind: "function",
        type: "function",
        config: { runtime: "wasm", code: tagKey("wasm"), maxAttempts: 1 },
      },
      { id: "hook", kind: "sink", type: "webhook", config: { url: hookUrl, maxAttempts: 1 } },
      { id: "kafkaOut", kind: "sink", type: "kafka-sink", config: { brokers, topic: output } },
    ],
    edges: [
      { id: "e1", from: { node: "kafkaIn", port: "out" }, to: { node: "js" } },
      { id: "e2", from: { node: "kafkaIn", port: "out" }, to: { node: "wasm" } },
      { id: "e3", from: { node: "gen", port: "out" }, to: { node: "js" } },
      { id: "e4", from: { node: "gen", port: "out" }, to: { node: "wasm" } },
      { id: "e5", from: { node: "js", port: "out" }, to: { node: "hook" } },
      { id: "e6", from: { node: "js", port: "out" }, to: { node: "kafkaOut" } },
      { id: "e7", from: { node: "wasm", port: "out" }, to: { node: "hook" } },
      { id: "e8", from: { node: "wasm", port: "out" }, to: { node: "kafkaOut" } },
    ],
  };
}

/** Values a generator template can hold (see the header): storable text, bounded depth and keys. */
function templateValues(): unknown[] {
  const candidates = fc.sample(jsonValue({ noProtoKeys: true, maxLongString: 2000 }), {
    numRuns: TEMPLATE_VALUES * 8,
    seed: seed + 1,
  });
  // LIMITS.configDepth counts the config object itself, then `template` and its `values` array:
  // three of its levels are taken before a value's own.
  const storable = candidates.filter(
    (value) =>
      checkJsonValue(value, { maxDepth: LIMITS.configDepth - 3 }).problems.length === 0 &&
      !JSON.stringify(value).includes("{{"),
  );
  return storable.slice(0, TEMPLATE_VALUES);
}

/** How deep a chain of one-element arrays goes, and what is at its end (without recursion). */
function depthOf(value: unknown): [number, unknown] {
  let depth = 0;
  let current = value;
  while (Array.isArray(current) && current.length === 1 && depth <= DEEP) {
    current = current[0] as unknown;
    depth++;
  }
  return [depth, current];
}

/** How many of the values hold each hostile feature, so a run shows what it covered. */
function describeValues(values: readonly unknown[]): string {
  const texts = values.map((value) => JSON.stringify(value));
  const count = (test: (text: string) => boolean): number => texts.filter(test).length;
  return [
    `NUL ${String(count((text) => text.includes("\\u0000")))}`,
    `lone surrogate ${String(count((text) => /\\ud[89a-f]/.test(text)))}`,
    `__proto__ key ${String(count((text) => text.includes('"__proto__":')))}`,
    `null ${String(count((text) => text === "null"))}`,
    `over 1000 chars ${String(count((text) => text.length > 1000))}`,
  ].join(", ");
}

describe.each(Object.keys(transports) as (keyof typeof transports)[])(
  "random JSON values through kafka-source and generator, both runtimes, webhook and kafka-sink, transport=%s (property)",
  (transport) => {
    it("delivers every record exactly once, as sent, to every sink, and accounts for all of them", async () => {
      console.log(`connectors property (${transport}) seed: ${seed} (WEIR_PROPERTY_SEED to replay)`);
      const engine = await transports[transport]();
      engines.push(engine);
      try {
        await deliversEverything(transport);
      } catch (error) {
        console.log(engine.output().slice(-4000));
        throw error;
      } finally {
        await engine.stop();
      }
    }, 120_000);
  },
);

async function deliversEverything(transport: keyof typeof transports): Promise<void> {
  const brokers = inject("kafkaBrokers");
  const tag = `${transport}-${randomUUID().slice(0, 8)}`;
  const input = `weir-property-in-${tag}`;
  const output = `weir-property-out-${tag}`;
  delivered = [];

  // `__proto__` keys included: a Kafka value is parsed with JSON.parse, which keeps them.
  const values = fc.sample(jsonValue({ maxLongString: 5000 }), { numRuns: KAFKA_COUNT, seed });
  await kcatProduce(brokers, input, [
    ...values.map((value, index) => `k${String(index)}\t${JSON.stringify(value)}`),
    `${DEEP_KEY}\t${"[".repeat(DEEP)}"x"${"]".repeat(DEEP)}`,
  ]);
  console.log(`kafka-source values: ${describeValues(values)}`);
  // Made with its leaders first: a topic the broker creates on the sink's first write can answer
  // "does not host this topic-partition" for longer than the producer retries on a loaded machine.
  await createTopic(brokers, output, 1);
  const inTemplate = templateValues();
  expect(inTemplate.length, "enough storable template values").toBe(TEMPLATE_VALUES);
  const template = { seq: "{{seq}}", values: inTemplate };

  const flow = connectorsFlow(brokers.split(","), input, output, template);
  const created = await t.api.flow.create(flow);
  await t.api.deployment.deploy({ flowId: created.id });

  const expected = new Map<string, unknown>();
  for (const runtime of RUNTIMES) {
    values.forEach((value, index) => expected.set(`${runtime}:k${String(index)}`, asJson(value)));
    for (let seq = 0; seq < GENERATED; seq++)
      expected.set(`${runtime}:g${String(seq)}`, { seq, values: asJson(inTemplate) });
  }
  // The deep record may be delivered intact or dead-lettered with a reason, on each branch.
  const deepKeys = new Set(RUNTIMES.map((runtime) => `${runtime}:${DEEP_KEY}`));
  const total = expected.size + deepKeys.size;
  const deadLetters = () => t.api.deadLetters.list({ flowId: created.id, limit: 1000 });
  const lettersAt = (letters: Awaited<ReturnType<typeof deadLetters>>, nodeId: string) =>
    letters.filter((letter) => letter.nodeId === nodeId).length;

  // Done when every record reached each sink or a dead letter on its way.
  let kafkaOut: Delivered[] = [];
  await eventually(
    async () => {
      const letters = await deadLetters();
      // A letter at the source (the Kafka transport's encoding) stands for both branches.
      const lost = lettersAt(letters, "js") + lettersAt(letters, "wasm") + 2 * lettersAt(letters, "kafkaIn");
      if (delivered.length + lettersAt(letters, "hook") + lost < total) return undefined;
      kafkaOut = await kcatConsumeWithTombstones(brokers, output).catch((error: unknown) => {
        console.log(`reading ${output}: ${String(error)}`);
        return [];
      });
      return kafkaOut.length + lettersAt(letters, "kafkaOut") + lost >= total ? true : undefined;
    },
    "every record settled at both sinks",
    60_000,
  ).catch(async (error: unknown) => {
    const seen = new Set(delivered.map((record) => String(record.key)));
    const missing = [...expected.keys()].filter((key) => !seen.has(key));
    const stats = await t.api.stats.get({ flowId: created.id });
    console.log(
      `webhook got ${String(delivered.length)}, kafka-sink ${String(kafkaOut.length)} of ${String(total)}; not at the webhook: ${missing.join(" ")}`,
      JSON.stringify(stats.nodes.map((n) => [n.nodeId, n.recordsIn, n.recordsOut, n.accounting])),
    );
    throw error;
  });
  const letters = await deadLetters();
  // Only the deep record may be dead-lettered (once per branch at most), and always with a reason.
  expect(
    letters.map((letter) => ({ node: letter.nodeId, hasReason: letter.error.length > 0 })),
    "dead letters",
  ).toEqual(
    letters
      .filter((letter) => ["kafkaIn", ...RUNTIMES].includes(letter.nodeId))
      .slice(0, 2)
      .map((letter) => ({ node: letter.nodeId, hasReason: true })),
  );
  console.log(
    `deep record (${String(DEEP)} levels): ${letters.map((l) => `dead-lettered at ${l.nodeId}: ${l.error.slice(0, 160)}`).join("; ") || "delivered on both branches"}`,
  );

  for (const [sink, records] of [
    ["hook", delivered],
    ["kafkaOut", kafkaOut],
  ] as const) {
    const keys = records.map((record) => String(record.key));
    expect(new Set(keys).size, `${sink}: each record once`).toBe(keys.length);
    const deepHere = keys.filter((key) => deepKeys.has(key));
    expect([...keys.filter((key) => !deepKeys.has(key))].sort(), `${sink}: every record`).toEqual(
      [...expected.keys()].sort(),
    );
    for (const record of records) {
      if (deepKeys.has(String(record.key)))
        expect(depthOf(record.value), `${sink} deep`).toEqual([DEEP, "x"]);
      else expect(record.value, `${sink} ${String(record.key)}`).toEqual(expected.get(String(record.key)));
    }
    // Each branch's deep record is at this sink, or was dead-lettered on its way.
    for (const runtime of RUNTIMES) {
      const lettered = letters.some((l) => l.nodeId === runtime || l.nodeId === "kafkaIn");
      expect(
        { branch: runtime, delivered: deepHere.includes(`${runtime}:${DEEP_KEY}`) },
        `${sink}: the deep record by ${runtime}`,
      ).toEqual({ branch: runtime, delivered: !lettered });
    }
  }

  await t.api.deployment.stop({ flowId: created.id });
  const stopped = await eventually(async () => {
    const status = await t.api.deployment.status({ flowId: created.id });
    return status?.actualState === "stopped" ? status : undefined;
  }, "stopped");
  expect(stopped.error).toBeNull();
  const stats = await expectFlowAccounted(t, created.id, flow);
  const node = (id: string) => stats.find((n) => n.nodeId === id);
  const atSource = letters.filter((letter) => letter.nodeId === "kafkaIn").length;
  expect(node("kafkaIn")?.recordsOut).toBe(KAFKA_COUNT + 1 - atSource);
  expect(node("gen")?.recordsOut).toBe(GENERATED);
  if (transport === "kafka") expect(await flowTopics(brokers, created.id)).not.toHaveLength(0);
  for (const id of RUNTIMES) {
    const lettered = letters.filter((letter) => letter.nodeId === id).length;
    expect(node(id)?.accounting, id).toEqual({
      completed: KAFKA_COUNT + 1 - atSource + GENERATED - lettered,
      deadLettered: lettered,
      inFlight: 0,
    });
  }
  for (const [id, records] of [
    ["hook", delivered],
    ["kafkaOut", kafkaOut],
  ] as const)
    expect(node(id)?.accounting, id).toEqual({ completed: records.length, deadLettered: 0, inFlight: 0 });
}
