// decode → identity → encode of a 20-field Avro record, against a plain JSON pass-through of the
// same values (JSON.parse → JSON.stringify), in the same run. Prints records/s medians and the ratio.
// The registry (the stand-in, see README "Tests") is only asked at setup: per record nothing waits.
import { performance } from "node:perf_hooks";
import { RegistryClient } from "../src/client";
import { RegistryDecoder } from "../src/decoder";
import { openEncoder } from "../src/encoder";
import type { JsonValue } from "../src/json";
import { startStandInRegistry } from "../src/testing/stand-in-registry";

const RECORDS = 20_000;
const ROUNDS = 9;

const fields = [
  ...Array.from({ length: 6 }, (_, i) => ({ name: `s${String(i)}`, type: "string" })),
  ...Array.from({ length: 5 }, (_, i) => ({ name: `i${String(i)}`, type: "int" })),
  ...Array.from({ length: 3 }, (_, i) => ({ name: `l${String(i)}`, type: "long" })),
  ...Array.from({ length: 3 }, (_, i) => ({ name: `d${String(i)}`, type: "double" })),
  { name: "ok", type: "boolean" },
  { name: "note", type: ["null", "string"], default: null },
  { name: "at", type: { type: "long", logicalType: "timestamp-millis" } },
];
const schema = JSON.stringify({ type: "record", name: "Event", namespace: "bench", fields });

function valueOf(n: number): JsonValue {
  const value: Record<string, JsonValue> = {};
  for (let i = 0; i < 6; i++) value[`s${String(i)}`] = `text-${String(i)}-${String(n)}`;
  for (let i = 0; i < 5; i++) value[`i${String(i)}`] = (n * 31 + i) % 100_000;
  for (let i = 0; i < 3; i++) value[`l${String(i)}`] = 1_700_000_000_000 + n + i;
  for (let i = 0; i < 3; i++) value[`d${String(i)}`] = n / (i + 3);
  value.ok = n % 2 === 0;
  value.note = n % 3 === 0 ? null : `note ${String(n)}`;
  value.at = new Date(1_700_000_000_000 + n).toISOString();
  return value;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const registry = await startStandInRegistry();
try {
  const client = new RegistryClient({ url: registry.url });
  const encoder = await openEncoder(client, {
    format: "avro",
    topic: "bench",
    strategy: "topic-name",
    schema,
    autoRegister: true,
  });
  const decoder = new RegistryDecoder(client);
  const values = Array.from({ length: RECORDS }, (_, n) => valueOf(n));
  const avroIn = values.map((v) => encoder.encode(v));
  const jsonIn = values.map((v) => Buffer.from(JSON.stringify(v)));
  await decoder.prepare(avroIn);

  const identity = (value: JsonValue): JsonValue => value;
  let sink = 0;
  const avroRound = (): number => {
    const start = performance.now();
    for (const bytes of avroIn) {
      const decoded = decoder.decodeSync(bytes);
      if (!decoded.ok) throw new Error(decoded.error);
      sink += encoder.encode(identity(decoded.value)).length;
    }
    return RECORDS / ((performance.now() - start) / 1000);
  };
  const jsonRound = (): number => {
    const start = performance.now();
    for (const bytes of jsonIn)
      sink += Buffer.from(JSON.stringify(identity(JSON.parse(bytes.toString("utf8")) as JsonValue))).length;
    return RECORDS / ((performance.now() - start) / 1000);
  };
  // Warm both paths, then alternate rounds so drift hits both alike.
  avroRound();
  jsonRound();
  const avro: number[] = [];
  const json: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    avro.push(avroRound());
    json.push(jsonRound());
  }
  const ratio = median(avro) / median(json);
  console.log(`20-field record, ${String(RECORDS)} records x ${String(ROUNDS)} rounds (medians)`);
  console.log(
    `  avro decode → identity → encode: ${Math.round(median(avro)).toLocaleString("en")} records/s (${String(avroIn[0]?.length)} bytes each)`,
  );
  console.log(
    `  json parse → identity → stringify (baseline): ${Math.round(median(json)).toLocaleString("en")} records/s (${String(jsonIn[0]?.length)} bytes each)`,
  );
  console.log(`  ratio avro / json: ${ratio.toFixed(2)}x (target ≥ 0.70x)${sink < 0 ? "" : ""}`);
} finally {
  await registry.close();
}
