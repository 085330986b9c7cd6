// The Go binding (examples/functions/go/weir/abi.go) lifts a batch's strings as views of the
// memory the host wrote them into, and hands a string it was given back without copying it. A
// function may keep those strings: the memory under them must never be written again. The test
// function (examples/functions/go/testdata/keep) keeps every value and key and sends each record
// on with the first ones it saw; later batches would overwrite them if that memory were reused.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SILENT_FUNCTION_HOST } from "@weir/domain";
import type { FunctionInstance, RecordOutcome, WeirRecord } from "@weir/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wasmRuntime } from "../src/index";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
let dir: string;
let instance: FunctionInstance;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "weir-go-keep-"));
  const out = path.join(dir, "keep.wasm");
  await promisify(execFile)(
    process.execPath,
    [path.join(root, "examples/functions/go/build.mjs"), out, "./testdata/keep"],
    { cwd: root, maxBuffer: 16 << 20 },
  );
  // created here, not in the test: the first transpile of a component takes seconds on a busy machine
  instance = await wasmRuntime.createInstance(
    {
      nodeId: "keep",
      code: "",
      language: "javascript",
      params: {},
      ports: ["out"],
      timeoutMs: 10_000,
      memoryLimitMb: 64,
      component: new Uint8Array(await readFile(out)),
    },
    SILENT_FUNCTION_HOST,
  );
}, 300_000);
afterAll(async () => {
  await instance.close();
  await rm(dir, { recursive: true, force: true });
});

/** Batch `n`'s records: values and keys of the same lengths in every batch, so memory could be reused. */
const batch = (n: number, size: number): WeirRecord[] =>
  Array.from({ length: size }, (_, i) => ({
    key: `key-${String(n).padStart(3, "0")}-${String(i).padStart(3, "0")}`,
    value: { batch: n, index: i, text: `value ${String(n * 1000 + i).padStart(6, "0")}` },
    headers: { trace: `t-${String(n).padStart(3, "0")}` },
    timestamp: 1_700_000_000_000 + n,
  }));

const sent = (outcomes: RecordOutcome[]): unknown[] =>
  outcomes.map((outcome) =>
    outcome.ok
      ? outcome.outputs.map(({ record }) => [record.key, record.value, record.headers])
      : outcome.error,
  );

describe("the Go binding's record strings", () => {
  it("stay as they were while the function keeps them, batch after batch", async () => {
    const first = batch(0, 50);
    const firstKey = first[0]?.key;
    const firstValue = first[0]?.value;
    for (let n = 0; n < 40; n++) {
      const records = n === 0 ? first : batch(n, 50);
      const outcomes = await instance.process(records);
      expect(sent(outcomes)).toEqual(records.map((r) => [[firstKey, firstValue, r.headers]]));
    }
  });
});
