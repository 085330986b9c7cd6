// Byte values across Kafka edges on a real engine process: a function makes bytes, the edge
// topic holds them raw (the value's size is the bytes' size, not base64's, marked by the
// `weir-value: bytes` header) and the next function gets a Uint8Array back, byte for byte.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
import type {} from "@weir/testkit/kafka-setup";
import { eventually } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { flowTopics, startKafkaEngine } from "../test/kafka-engines";
import { useTestDatabase } from "../test/test-database";

const run = promisify(execFile);
const t = useTestDatabase();
let brokers: string;
let engine: EngineProcess;

beforeAll(async () => {
  brokers = inject("kafkaBrokers");
  engine = await startKafkaEngine(t.url, brokers, `bytes-${randomUUID().slice(0, 6)}`);
});
afterAll(async () => {
  await engine.stop();
});

const COUNT = 20;
// Record n becomes 1000 + n bytes, byte i being (i * 7 + n) & 0xff (so 0x00, 0x0a, 0x22 and 0xff all occur).
const MAKE = `export default (r) => {
  const n = r.value.n;
  const out = new Uint8Array(1000 + n);
  for (let i = 0; i < out.length; i++) out[i] = (i * 7 + n) & 0xff;
  return { value: out };
}`;
const READ = `export default (r) => {
  const bytes = r.value instanceof Uint8Array;
  let sum = 0;
  if (bytes) for (let i = 0; i < r.value.length; i++) sum += r.value[i];
  return { value: { bytes, length: bytes ? r.value.length : -1, sum } };
}`;

function expectedSum(n: number): number {
  let sum = 0;
  for (let i = 0; i < 1000 + n; i++) sum += (i * 7 + n) & 0xff;
  return sum;
}

describe("byte values on the Kafka transport", () => {
  it("crosses an edge topic as raw bytes and arrives as a Uint8Array", async () => {
    const spec: FlowSpecInput = {
      name: "bytes over kafka",
      nodes: [
        {
          id: "gen",
          kind: "source",
          type: "generator",
          config: { intervalMs: 0, count: COUNT, key: "k", template: { n: "{{seq}}" } },
        },
        { id: "make", kind: "function", type: "function", config: { code: MAKE, language: "javascript" } },
        { id: "read", kind: "function", type: "function", config: { code: READ, language: "javascript" } },
        { id: "log", kind: "sink", type: "log", config: { keep: 100 } },
      ],
      edges: [
        { id: "e1", from: { node: "gen", port: "out" }, to: { node: "make" } },
        { id: "bytes", from: { node: "make", port: "out" }, to: { node: "read" } },
        { id: "e3", from: { node: "read", port: "out" }, to: { node: "log" } },
      ],
    };
    const flow = await t.api.flow.create(spec);
    await t.api.deployment.deploy({ flowId: flow.id });
    const rows = await eventually(
      async () => {
        const read = await t.api.logs.read({ flowId: flow.id, nodeId: "log", limit: 100 });
        return read.length === COUNT ? read : undefined;
      },
      `${COUNT} log entries`,
      60_000,
    );
    const values = rows
      .map((row) => (row.record as { value: { bytes: boolean; length: number; sum: number } }).value)
      .sort((a, b) => a.length - b.length);
    expect(values).toEqual(
      Array.from({ length: COUNT }, (_, i) => ({ bytes: true, length: 1000 + i, sum: expectedSum(i) })),
    );

    // The edge topic itself: each message's value is exactly the bytes, marked as bytes.
    const topic = (await flowTopics(brokers, flow.id)).find((name) => name.endsWith(".bytes"));
    expect(topic).toBeDefined();
    const { stdout } = await run("kcat", [
      "-C",
      "-b",
      brokers,
      "-t",
      topic ?? "",
      "-o",
      "beginning",
      "-e",
      "-q",
      "-f",
      "%S\t%h\n",
    ]);
    const messages = stdout.split("\n").filter((line) => line.length > 0);
    expect(messages).toHaveLength(COUNT);
    const sizes = messages.map((line) => Number(line.split("\t")[0])).sort((a, b) => a - b);
    expect(sizes).toEqual(Array.from({ length: COUNT }, (_, i) => 1000 + i));
    for (const line of messages) expect(line.split("\t")[1]).toContain("weir-value=bytes");
    await t.api.deployment.stop({ flowId: flow.id });
  }, 120_000);
});
