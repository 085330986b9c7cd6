// A value of several MiB through a Kafka edge between two real engine processes' functions: it
// goes as chunk messages no larger than WEIR_KAFKA_CHUNK_BYTES (read back raw with kcat), comes
// into the next function whole as a Uint8Array (SHA-256 computed in the function), and an engine
// SIGKILLed while values are in flight had committed no offset past the first chunk of a value it
// had not processed: the next engine processes every value whole, nothing dead-lettered.
import { execFile } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
import type {} from "@weir/testkit/kafka-setup";
import { eventually } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { flowTopics, startKafkaEngine, testAdmin } from "../test/kafka-engines";
import { useTestDatabase } from "../test/test-database";

const run = promisify(execFile);
const t = useTestDatabase();
const engines: EngineProcess[] = [];
afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.kill()));
});

const MIB = 1024 * 1024;
const SIZE = 8 * MIB + 5;
const COUNT = 3;
const CHUNK_BYTES = 512 * 1024;
/** Busy time of the reading function per value: the kill lands while values are in flight. */
const READ_MS = 1500;

// Value n: byte i is (i * 31 + n * 7 + (i >> 12)) & 0xff.
const MAKE = `export default (r) => {
  const n = r.value.n;
  const out = new Uint8Array(${String(SIZE)});
  for (let i = 0; i < out.length; i++) out[i] = (i * 31 + n * 7 + (i >> 12)) & 0xff;
  return { value: out };
}`;
// SHA-256 in plain JS (the sandbox has no crypto), checked against node:crypto below.
const SHA256 = `const K = [0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2];
function sha256(bytes) {
  const len = bytes.length;
  const m = new Uint8Array(((len + 72) >> 6) << 6);
  m.set(bytes);
  m[len] = 0x80;
  const d = new DataView(m.buffer);
  d.setUint32(m.length - 8, Math.floor(len / 0x20000000));
  d.setUint32(m.length - 4, (len << 3) >>> 0);
  const h = [0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,0x510e527f,0x9b05688c,0x1f83d9ab,0x5be0cd19];
  const w = new Uint32Array(64);
  for (let o = 0; o < m.length; o += 64) {
    for (let i = 0; i < 16; i++) w[i] = d.getUint32(o + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15], b = w[i - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let [a, b, c, e, f, g, hh, dd] = [h[0], h[1], h[2], h[4], h[5], h[6], h[7], h[3]];
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g; g = f; f = e; e = (dd + t1) | 0; dd = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + dd) | 0;
    h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
  }
  return h.map((x) => (x >>> 0).toString(16).padStart(8, "0")).join("");
}`;
const READ = `${SHA256}
export default (r) => {
  const bytes = r.value instanceof Uint8Array;
  const sha = bytes ? sha256(r.value) : "";
  const until = Date.now() + ${String(READ_MS)};
  while (Date.now() < until) {}
  // Which value this is: its byte 0 is n * 7 & 0xff.
  return { value: { bytes, length: bytes ? r.value.length : -1, sha, first: bytes ? r.value[0] : -1 } };
}`;

function expected(n: number): Buffer {
  const out = Buffer.alloc(SIZE);
  for (let i = 0; i < SIZE; i++) out[i] = (i * 31 + n * 7 + (i >> 12)) & 0xff;
  return out;
}

interface Message {
  offset: number;
  size: number;
  chunk: { index: number; count: number; id: string } | undefined;
}

/** Every message of a topic's partition 0..3 with its offset, size and chunk marker, read with kcat. */
async function messagesOf(brokers: string, topic: string): Promise<Map<number, Message[]>> {
  const { stdout } = await run(
    "kcat",
    ["-C", "-b", brokers, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p\t%o\t%S\t%h\n"],
    { maxBuffer: 64 * MIB },
  );
  const byPartition = new Map<number, Message[]>();
  for (const line of stdout.split("\n").filter((l) => l.length > 0)) {
    const [partition, offset, size, headers] = line.split("\t");
    const marker = /weir-chunk=(\d+)\/(\d+)\/([^,]+)/.exec(headers ?? "");
    const list = byPartition.get(Number(partition)) ?? [];
    list.push({
      offset: Number(offset),
      size: Number(size),
      chunk: marker ? { index: Number(marker[1]), count: Number(marker[2]), id: marker[3] ?? "" } : undefined,
    });
    byPartition.set(Number(partition), list);
  }
  return byPartition;
}

describe("large values on the Kafka transport", () => {
  it("cross an edge as chunks below the limit, arrive whole, and survive an engine killed mid-value", async () => {
    const brokers = inject("kafkaBrokers");
    const env = { WEIR_KAFKA_CHUNK_BYTES: String(CHUNK_BYTES) };
    const first = await startKafkaEngine(t.url, brokers, `large-${randomUUID().slice(0, 6)}`, env);
    engines.push(first);
    const spec: FlowSpecInput = {
      name: "large values over kafka",
      nodes: [
        {
          id: "gen",
          kind: "source",
          type: "generator",
          config: { intervalMs: 0, count: COUNT, key: "k", template: { n: "{{seq}}" } },
        },
        {
          id: "make",
          kind: "function",
          type: "function",
          config: { code: MAKE, language: "javascript", memoryLimitMb: 256, batchSize: 1 },
        },
        {
          id: "read",
          kind: "function",
          type: "function",
          config: { code: READ, language: "javascript", memoryLimitMb: 256, batchSize: 1, timeoutMs: 30_000 },
        },
        { id: "log", kind: "sink", type: "log", config: { keep: 100 } },
      ],
      edges: [
        { id: "e1", from: { node: "gen", port: "out" }, to: { node: "make" } },
        { id: "big", from: { node: "make", port: "out" }, to: { node: "read" } },
        { id: "out", from: { node: "read", port: "out" }, to: { node: "log" } },
      ],
    };
    const flow = await t.api.flow.create(spec);
    await t.api.deployment.deploy({ flowId: flow.id });
    const logged = async (): Promise<{ bytes: boolean; length: number; sha: string; first: number }[]> =>
      (await t.api.logs.read({ flowId: flow.id, nodeId: "log", limit: 100 })).map(
        (row) =>
          (row.record as { value: { bytes: boolean; length: number; sha: string; first: number } }).value,
      );
    // The first value processed: the others are on their way or waiting for the busy function.
    await eventually(
      async () => ((await logged()).length >= 1 ? true : undefined),
      "a first value read",
      60_000,
    );
    await first.kill();

    // What the killed engine's reading function finished is what it wrote to its output topic
    // (it acks, so commits, only after that). Every other value's first chunk must lie at or
    // after the committed offset, or it would be lost.
    const topics = await flowTopics(brokers, flow.id);
    const bigTopic = topics.find((name) => name.endsWith(".big")) ?? "";
    const outTopic = topics.find((name) => name.endsWith(".out")) ?? "";
    const outputs = await run("kcat", ["-C", "-b", brokers, "-t", outTopic, "-o", "beginning", "-e", "-q"], {
      maxBuffer: 16 * MIB,
    });
    const finished = new Set(
      outputs.stdout
        .split("\n")
        .filter((line) => line.length > 0)
        .map((line) => (JSON.parse(line) as { first: number }).first),
    );
    const admin = testAdmin(brokers);
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: `weir.${flow.id}.v1.read`, topics: [bigTopic] });
    await admin.disconnect();
    const chunks = await messagesOf(brokers, bigTopic);
    let unfinished = 0;
    for (const [partition, messages] of chunks) {
      const at = Number(committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
      for (const message of messages) {
        if (message.chunk?.index !== 0) continue;
        const body = await run(
          "kcat",
          [
            "-C",
            "-b",
            brokers,
            "-t",
            bigTopic,
            "-p",
            String(partition),
            "-o",
            String(message.offset),
            "-c",
            "1",
            "-e",
            "-q",
            "-f",
            "%s",
          ],
          { maxBuffer: 16 * MIB, encoding: "buffer" },
        );
        if (finished.has(body.stdout[0] ?? -1)) continue;
        unfinished++;
        expect(message.offset).toBeGreaterThanOrEqual(Math.max(0, at));
      }
    }

    // A new engine takes the deployment over and reads from the committed offsets.
    const second = await startKafkaEngine(t.url, brokers, `large-${randomUUID().slice(0, 6)}`, env);
    engines.push(second);
    const values = await eventually(
      async () => {
        const rows = await logged();
        return new Set(rows.map((row) => row.first)).size >= COUNT ? rows : undefined;
      },
      `all ${String(COUNT)} values read`,
      90_000,
    );
    const shas = new Map(
      Array.from({ length: COUNT }, (_, n) => [
        (n * 7) & 0xff,
        createHash("sha256").update(expected(n)).digest("hex"),
      ]),
    );
    // Every value processed (some perhaps twice: at least once) was whole.
    for (const value of values)
      expect(value).toEqual({ bytes: true, length: SIZE, sha: shas.get(value.first), first: value.first });
    expect(new Set(values.map((v) => v.first))).toEqual(new Set(shas.keys()));
    expect(await t.api.deadLetters.list({ flowId: flow.id, limit: 10 })).toHaveLength(0);

    // On the topic: each value as ceil(SIZE / CHUNK_BYTES) chunks, none above the limit.
    const all = [...(await messagesOf(brokers, bigTopic)).values()].flat();
    const perValue = Math.ceil(SIZE / CHUNK_BYTES);
    expect(all.length).toBeGreaterThanOrEqual(COUNT * perValue);
    for (const message of all) {
      expect(message.size).toBeLessThanOrEqual(CHUNK_BYTES);
      expect(message.chunk?.count).toBe(perValue);
    }
    // The kill landed with values read and values not yet read.
    expect(finished.size).toBeGreaterThanOrEqual(1);
    expect(unfinished).toBeGreaterThanOrEqual(1);
    console.log(
      `large values: ${String(COUNT)} values of ${String(SIZE)} bytes as ${String(perValue)} chunks each; ` +
        `killed with ${String(finished.size)} read and ${String(unfinished)} not, ${String(values.length)} reads in all`,
    );
    await t.api.deployment.stop({ flowId: flow.id });
  }, 180_000);
});
