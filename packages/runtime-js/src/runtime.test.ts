import { afterEach, describe, expect, it } from "vitest";
import type { FunctionInstance, FunctionSpec, RecordOutcome, WeirRecord } from "@weir/domain";
import { WeirError } from "@weir/domain";
import type { MemoryHost } from "@weir/runtime-conformance";
import { createMemoryHost } from "@weir/runtime-conformance";
import { createJsRuntime, jsRuntime } from "./index";

// What the shared conformance suite does not pin down: how this runtime uses isolated-vm.

const open: FunctionInstance[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((instance) => instance.close()));
});

const spec = (code: string, extra: Partial<FunctionSpec> = {}): FunctionSpec => ({
  nodeId: "fn",
  code,
  language: "typescript",
  params: {},
  ports: ["out"],
  timeoutMs: 1_000,
  memoryLimitMb: 32,
  ...extra,
});
const rec = (value: WeirRecord["value"]): WeirRecord => ({ key: "k", value, headers: {}, timestamp: 1 });
const values = (outcomes: RecordOutcome[]): unknown[] =>
  outcomes.map((o) => (o.ok ? o.outputs.map((out) => out.record.value) : o.error.message));

async function start(code: string, extra: Partial<FunctionSpec> = {}, host: MemoryHost = createMemoryHost()) {
  const instance = await jsRuntime.createInstance(spec(code, extra), host);
  open.push(instance);
  return { instance, host };
}

const BUSY = "const until = Date.now() + r.value; while (Date.now() < until) {}";

describe("js runtime (isolated-vm)", () => {
  it("runs user code off the engine's event loop", async () => {
    const { instance } = await start(`export default (r: any) => { ${BUSY} return { value: 'done' }; }`);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const outcomes = await instance.process([rec(300)]);
    clearInterval(timer);
    expect(values(outcomes)).toEqual([["done"]]);
    expect(ticks).toBeGreaterThan(10);
  });

  it("runs quick batches on the engine's thread, and sends one that turns slow off it within 50 ms", async () => {
    const { instance, host } = await start(
      `export function init(ctx: any) { ctx.log.info("init"); }
export default (r: any, ctx: any) => { ${BUSY} ctx.state.put("last", r.value); ctx.metrics.counter("records"); return { value: r.value }; }`,
      { timeoutMs: 5_000 },
    );
    for (let i = 0; i < 20; i++) expect(values(await instance.process([rec(0)]))).toEqual([[0]]);
    // The next batch runs on the thread (applySync) and spins for 600 ms: it is stopped at the
    // thread's limit and run again off the thread, in a new isolate (init again), counted once.
    let longestGapMs = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGapMs = Math.max(longestGapMs, now - last);
      last = now;
    }, 5);
    const outcomes = await instance.process([rec(600)]);
    clearInterval(timer);
    expect(values(outcomes)).toEqual([[600]]);
    expect(host.messages().filter((m) => m === "init")).toHaveLength(2);
    expect(longestGapMs).toBeLessThan(400);
    expect(host.store.get("last")).toBe(600);
    expect(host.counters.get("records")).toBe(21);
  });

  it("warms up once (compiler and first isolate), in the background of an engine's start", async () => {
    const runtime = createJsRuntime();
    const warming = runtime.warmUp?.();
    expect(warming).toBeInstanceOf(Promise);
    expect(runtime.warmUp?.()).toBe(warming);
    await warming;
    const instance = await runtime.createInstance(spec("export default (r: any) => r;"), createMemoryHost());
    open.push(instance);
    expect(values(await instance.process([rec(1)]))).toEqual([[1]]);
  });

  it("applies the time limit to each record, not to the whole batch", async () => {
    const { instance, host } = await start(
      `export function init(ctx: any) { ctx.log.info("started"); }\nexport default (r: any) => { ${BUSY} return { value: r.value }; }`,
      { timeoutMs: 250 },
    );
    const outcomes = await instance.process([rec(100), rec(100), rec(100), rec(100), rec(100)]);
    expect(values(outcomes)).toEqual([[100], [100], [100], [100], [100]]);
    expect(host.messages().filter((m) => m === "started")).toHaveLength(1);
  });

  it("asks the host for a key once per batch, then serves the batch's reads itself", async () => {
    const host = createMemoryHost();
    host.store.set("config", { rate: 2 });
    let reads = 0;
    const get = host.state.get.bind(host.state);
    host.state.get = (key) => {
      reads++;
      return get(key);
    };
    const { instance } = await start(
      `export default async (r: any, ctx: any) => ({ value: r.value * (await ctx.state.get("config")).rate });`,
      {},
      host,
    );
    const outcomes = await instance.process([1, 2, 3, 4, 5].map(rec));
    expect(values(outcomes)).toEqual([[2], [4], [6], [8], [10]]);
    expect(reads).toBe(1);
    await instance.process([rec(6)]);
    expect(reads).toBe(2);
  });

  it("delivers every log line once, including those of a record killed while running alone", async () => {
    const { instance, host } = await start(
      'export default (r: any) => { console.log("record", r.value); if (r.value === 2) while (true) {} return { value: r.value }; }',
      { timeoutMs: 200 },
    );
    const outcomes = await instance.process([rec(1), rec(2), rec(3)]);
    expect(values(outcomes)).toEqual([[1], "timed out: did not finish within 200 ms", [3]]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(host.messages()).toEqual(["record 1", "record 2", "record 3"]);
  });

  it("caps the log lines of one call", async () => {
    const { instance, host } = await start(
      "export default () => { for (let i = 0; i < 20000; i++) console.log('line', i); }",
    );
    await instance.process([rec(1)]);
    expect(host.logs.length).toBe(10_001);
    expect(host.logs.at(-1)).toEqual({
      level: "warn",
      message: "10000 log lines were dropped (over the limit of one call)",
    });
  });

  it("fails a record whose state read fails on the host", async () => {
    const host = createMemoryHost();
    host.state.get = () => Promise.reject(new Error("store unavailable"));
    const { instance } = await start(
      'export default async (r: any, ctx: any) => ({ value: await ctx.state.get("x") ?? r.value });',
      {},
      host,
    );
    const outcomes = await instance.process([rec(1)]);
    expect(values(outcomes)).toEqual([expect.stringContaining("store unavailable")]);
  });

  it("runs concurrent process calls one after the other", async () => {
    const { instance } = await start(
      'export default async (r: any, ctx: any) => { const n = ((await ctx.state.get("n")) ?? 0) + 1; ctx.state.put("n", n); return { value: n }; }',
    );
    const [a, b] = await Promise.all([
      instance.process([rec(0), rec(0)]),
      instance.process([rec(0), rec(0)]),
    ]);
    expect([...values(a), ...values(b)]).toEqual([[1], [2], [3], [4]]);
  });

  it("keeps a memory bomb in one instance away from another instance", async () => {
    const bomb = await start(
      'export default (r: any) => { const hoard: unknown[] = []; if (r.value === "bad") while (true) hoard.push(new Array(100_000).fill(1)); return { value: r.value }; }',
      { memoryLimitMb: 16 },
    );
    const calm = await start("export default (r: any) => ({ value: r.value * 2 });");
    const [bombed, calmed] = await Promise.all([
      bomb.instance.process([rec("bad"), rec(1)]),
      calm.instance.process([rec(1), rec(2), rec(3)]),
    ]);
    expect(values(bombed)).toEqual([expect.stringContaining("out of memory"), [1]]);
    expect(values(calmed)).toEqual([[2], [4], [6]]);
  });

  it("rejects createInstance with user errors that carry a code and the line", async () => {
    const thrown = await jsRuntime
      .createInstance(
        spec("export function init() {\n  throw new Error('no');\n}\nexport default (r: any) => r;"),
        createMemoryHost(),
      )
      .catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(WeirError);
    expect(thrown).toMatchObject({
      kind: "user",
      code: "FUNCTION_ERROR",
      message: "init failed at line 2: no",
      details: { line: 2 },
    });
    const hung = await jsRuntime
      .createInstance(
        spec("while (true) {}\nexport default (r: any) => r;", { timeoutMs: 100 }),
        createMemoryHost(),
      )
      .catch((error: unknown) => error);
    expect(hung).toMatchObject({ kind: "user", code: "FUNCTION_TIMEOUT" });
  });

  it("regression: host state reads survive `Promise.prototype.then = null` (isolated-vm settles them with a nested promise)", async () => {
    const host = createMemoryHost();
    host.store.set("n", 41);
    const { instance } = await start(
      'export default async (r: any, ctx: any) => { (Promise.prototype as any).then = null; return { value: (await ctx.state.get("n")) + 1 }; }',
      {},
      host,
    );
    expect(values(await instance.process([rec(0)]))).toEqual([[42]]);
    expect(values(await instance.process([rec(0)]))).toEqual([[42]]);
  });

  for (const batchesOnThread of ["always", "never"] as const) {
    it(`hands byte outputs over in buffers of their own size (batches ${batchesOnThread} on the engine's thread)`, async () => {
      // The guest reuses one output buffer, grown to the largest call; isolated-vm copies a view's
      // whole buffer, so a smaller call after a larger one must still cross as just its bytes.
      const runtime = createJsRuntime({ batchesOnThread });
      const instance = await runtime.createInstance(
        spec(
          `export async function* stream(chunks: any, ctx: any) {
  for await (const chunk of chunks) {
    const out = new Uint8Array(chunk.value.length);
    for (let i = 0; i < out.length; i++) out[i] = chunk.value[i] + 1;
    ctx.write(out);
  }
}`,
        ),
        createMemoryHost(),
      );
      open.push(instance);
      const bytes = (size: number, from: number) =>
        Uint8Array.from({ length: size }, (_, i) => (from + i) & 0xff);
      const large = await instance.process([rec(bytes(200_000, 0)), rec(bytes(100_000, 7))]);
      const small = await instance.process([rec(bytes(1_000, 3))]);
      const outputs = [...large, ...small].map((outcome) => {
        if (!outcome.ok) throw new Error(outcome.error.message);
        const value = outcome.outputs[0]?.record.value;
        if (!(value instanceof Uint8Array)) throw new Error("expected bytes");
        return value;
      });
      expect(outputs.map((value) => [value.byteLength, value[0], value.at(-1)])).toEqual([
        [200_000, 1, (199_999 + 1) & 0xff],
        [100_000, 8, (7 + 99_999 + 1) & 0xff],
        [1_000, 4, (3 + 999 + 1) & 0xff],
      ]);
      // One buffer per call, holding that call's outputs and nothing more.
      expect(outputs[0]?.buffer).toBe(outputs[1]?.buffer);
      expect(outputs[0]?.buffer.byteLength).toBe(300_000);
      expect(outputs[2]?.buffer.byteLength).toBe(1_000);

      // Those outputs as the next inputs: views side by side of one buffer (crossing as one),
      // in the other order (each a part of its buffer), and beside a value of its own.
      const [first, second, third] = outputs as [Uint8Array, Uint8Array, Uint8Array];
      for (const inputs of [
        [first, second],
        [second, first],
        [third, second],
      ]) {
        const again = await instance.process(inputs.map((value) => rec(value)));
        expect(
          again.map((outcome) => {
            const value = outcome.ok ? outcome.outputs[0]?.record.value : undefined;
            return value instanceof Uint8Array ? [value.byteLength, value[0], value.at(-1)] : outcome;
          }),
        ).toEqual(
          inputs.map((value) => [
            value.byteLength,
            ((value[0] ?? 0) + 1) & 0xff,
            ((value.at(-1) ?? 0) + 1) & 0xff,
          ]),
        );
      }
    });
  }

  it("stops a running call on close and refuses work afterwards", async () => {
    const { instance } = await start("export default async () => { await new Promise(() => {}); }", {
      timeoutMs: 10_000,
    });
    const running = instance.process([rec(1)]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await instance.close();
    await expect(running).rejects.toThrow("closed");
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(instance.process([rec(2)])).rejects.toThrow("closed");
  });
});
