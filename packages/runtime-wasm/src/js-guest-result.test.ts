import { afterAll, describe, expect, it } from "vitest";
import type { FunctionInstance, WeirRecord } from "@weir/domain";
import { createMemoryHost } from "@weir/runtime-conformance";
import { wasmRuntime } from "./index";

// A JS guest call's result (over 64 characters, so every batch's) leaves the component as UTF-8
// bytes through take-bytes (guest/wasm-guest.js), while `configure` and `load` answer short
// strings; the call's own output bytes then follow through take-bytes again.
const open: FunctionInstance[] = [];
afterAll(async () => {
  await Promise.all(open.map((instance) => instance.close()));
});

const records = (count: number): WeirRecord[] =>
  Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: { i }, headers: {}, timestamp: i }));

async function start(code: string): Promise<FunctionInstance> {
  const instance = await wasmRuntime.createInstance(
    {
      nodeId: "fn",
      code,
      language: "javascript",
      params: {},
      ports: ["out"],
      timeoutMs: 5_000,
      memoryLimitMb: 64,
    },
    createMemoryHost(),
  );
  open.push(instance);
  return instance;
}

describe("the JS guest's long results", () => {
  it("carries a long result, non-ASCII text included, from a synchronous and an async handler", async () => {
    for (const code of [
      'export default (record) => ({ value: { n: record.value.i, text: "é😀".repeat(200) } });',
      'export default async (record) => { await null; return { value: { n: record.value.i, text: "é😀".repeat(200) } }; };',
    ]) {
      const instance = await start(code);
      const outcomes = await instance.process(records(20));
      expect(outcomes).toHaveLength(20);
      for (const [i, outcome] of outcomes.entries()) {
        expect(outcome).toEqual({
          ok: true,
          outputs: [
            {
              port: "out",
              record: { key: `k${i}`, value: { n: i, text: "é😀".repeat(200) }, headers: {}, timestamp: i },
            },
          ],
        });
      }
    }
  }, 60_000);

  it("hands out the output bytes of a call whose result was long", async () => {
    const instance = await start(
      "export default (record) => ({ value: new Uint8Array([record.value.i, 1, 2]), headers: { pad: 'x'.repeat(300) } });",
    );
    const outcomes = await instance.process(records(10));
    for (const [i, outcome] of outcomes.entries()) {
      expect(outcome.ok && outcome.outputs[0]?.record.value).toEqual(new Uint8Array([i, 1, 2]));
    }
    // the next call's result is its own, not bytes left over from this one
    const [next] = await instance.process(records(1));
    expect(next?.ok && next.outputs[0]?.record.value).toEqual(new Uint8Array([0, 1, 2]));
  }, 60_000);
});
