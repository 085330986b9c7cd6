// The guest core on its own, in a fresh realm (node:vm) as a sandbox would load it: its text
// through guestCoreExpression, a host adapter made of plain functions, and the call-result JSON
// it answers. The runtimes' conformance suite runs it again inside real isolates and components.
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import type { WeirRecord } from "@weir/domain";
import type { CallResult, LoadResult } from "../call-result";
import { jsonTextOf } from "@weir/domain";
import { parseCallResult } from "../call-result";
import { compile } from "../compile";
import type { createGuest, Dispatch, GuestHost } from "./core.js";
import { encodeBatch, guestCoreExpression, moduleAsExpression } from "./index";

interface Loaded {
  dispatch: Dispatch;
  context: vm.Context;
  logs: [string, string][];
  progress: [number, boolean][];
  reads: string[];
  load: LoadResult;
}

const rec = (value: unknown, key: string | null = "k"): WeirRecord =>
  ({ key, value, headers: { h: "1" }, timestamp: 7 }) as WeirRecord;

/** A guest in its own realm with `code` loaded; host state is `state`. */
function guest(code: string, state: Record<string, unknown> = {}, ports = ["out"]): Loaded {
  const context = vm.createContext({});
  const core = vm.runInContext(guestCoreExpression(), context) as { createGuest: typeof createGuest };
  const logs: [string, string][] = [];
  const progress: [number, boolean][] = [];
  const reads: string[] = [];
  const host: GuestHost = {
    readState: (key) => {
      reads.push(key);
      return key in state ? JSON.stringify(state[key]) : undefined;
    },
    log: (level, message) => logs.push([level, message]),
    progress: (index, single) => progress.push([index, single]),
    moduleFunction: (source) =>
      vm.runInContext(`(function (exports, module) {${String(source)}\n})`, context) as ReturnType<
        GuestHost["moduleFunction"]
      >,
  };
  const dispatch = core.createGuest(JSON.stringify({ ports, params: { p: 1 }, secrets: { S: "x" } }), host);
  const { js, problems } = compile({ code, language: "typescript" });
  expect(problems).toEqual([]);
  const load = JSON.parse(dispatch("load", js) as string) as LoadResult;
  return { dispatch, context, logs, progress, reads, load };
}

async function batch(loaded: Loaded, records: WeirRecord[], operation = "batch"): Promise<CallResult> {
  return parseCallResult(
    (await loaded.dispatch(operation, encodeBatch(records))) as string,
    undefined,
    records,
  );
}

describe("the guest core", () => {
  it("runs a batch: outputs take the input's key, headers and timestamp; logs stay in the result, by record", async () => {
    const g = guest(`export default (r: any, ctx: any) => {
  ctx.log.info("n", r.value.n, { a: 1 });
  if (r.value.n === 2) return null;
  return [{ value: r.value.n * 10 }, { value: ctx.params.p, key: "other", timestamp: 9 }];
};`);
    expect(g.load).toEqual({ ok: true, mode: "handler", init: false });
    const result = await batch(g, [rec({ n: 1 }), rec({ n: 2 })]);
    expect(result.outcomes).toEqual([
      {
        ok: true,
        outputs: [
          { port: "out", record: { key: "k", value: 10, headers: { h: "1" }, timestamp: 7 } },
          { port: "out", record: { key: "other", value: 1, headers: { h: "1" }, timestamp: 9 } },
        ],
      },
      { ok: true, outputs: [] },
    ]);
    // Each line with the index of the record that wrote it (the host keeps that record's trace).
    expect(result.logs).toEqual([
      ["info", 'n 1 {"a":1}', 0],
      ["info", 'n 2 {"a":1}', 1],
    ]);
    expect(g.logs).toEqual([]);
    expect(g.progress.filter(([index]) => index >= 0)).toEqual([
      [0, false],
      [1, false],
    ]);
  });

  it("keeps state writes and metrics only of records that succeed, and reads its own writes", async () => {
    const g = guest(
      `export default async (r: any, ctx: any) => {
  const seen = ((await ctx.state.get("seen")) ?? 0) + 1;
  ctx.state.put("seen", seen);
  ctx.metrics.counter("records");
  ctx.metrics.histogram("n", r.value);
  if (r.value < 0) throw new RangeError("negative");
  return { value: seen };
};`,
      { seen: 10 },
    );
    const result = await batch(g, [rec(1), rec(-1), rec(2)]);
    expect(result.outcomes.map((o) => (o.ok ? o.outputs[0]?.record.value : o.error.message))).toEqual([
      11,
      "RangeError: negative",
      12,
    ]);
    expect(result.writes).toEqual([
      [0, [{ key: "seen", value: 11 }]],
      [2, [{ key: "seen", value: 12 }]],
    ]);
    expect(result.counters).toEqual({ records: 2 });
    expect(result.histograms).toEqual([
      ["n", 1],
      ["n", 2],
    ]);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]?.[1]).toContain("RangeError: negative");
    expect(g.reads).toEqual(["seen"]);
  });

  it("describes what is thrown, and flags an engine out of memory", async () => {
    const g = guest(`export default (r: any) => { throw r.value === "oom" ? "out of memory" : r.value; };`);
    const result = await batch(g, [rec("text"), rec(42), rec(null), rec("oom")]);
    expect(result.outcomes.map((o) => !o.ok && o.error.message)).toEqual([
      'threw a non-Error value: "text"',
      "threw a non-Error value: 42",
      "threw a non-Error value: null",
      'threw a non-Error value: "out of memory"',
    ]);
    expect(result.fatal).toBe("memory");
    expect((await batch(g, [rec("text")])).fatal).toBeUndefined();
  });

  it("refuses what is not a record, an unknown port and values that are not JSON", async () => {
    const g = guest(`export default (r: any, ctx: any) => {
  if (r.value === 1) return 5;
  if (r.value === 2) ctx.emit("nope", { value: 1 });
  if (r.value === 3) return { value: () => 1 };
  if (r.value === 4) ctx.state.put("k", undefined);
  return { value: r.value, headers: { n: 1 } };
};`);
    const result = await batch(g, [rec(1), rec(2), rec(3), rec(4), rec(5)]);
    expect(result.outcomes.map((o) => !o.ok && o.error.message)).toEqual([
      "returned value is not a record: expected an object with a 'value' field",
      "ctx.emit: no output port 'nope' (ports: out)",
      "returned value is not a valid record: its value is not JSON",
      'TypeError: ctx.state.put("k"): the value is not JSON; use ctx.state.delete to remove a key',
      "returned value is not a valid record: header 'n' must be a string",
    ]);
  });

  it("runs an ordered stream across calls with one generator", async () => {
    const g = guest(`let total = 0;
export async function* stream(records: any, ctx: any) {
  ctx.log.info("started");
  for await (const r of records) {
    total += r.value;
    yield { value: total };
  }
}`);
    expect(g.load).toEqual({ ok: true, mode: "stream", init: false });
    const first = await batch(g, [rec(1), rec(2)]);
    const second = await batch(g, [rec(3)]);
    const values = (result: CallResult): unknown[] =>
      result.outcomes.map((o) => (o.ok ? o.outputs.map((out) => out.record.value) : o.error.message));
    expect(values(first)).toEqual([[1], [3]]);
    expect(values(second)).toEqual([[6]]);
    expect([...first.logs, ...second.logs]).toEqual([["info", "started"]]);
  });

  it("runs init with ctx but no record, and sends logs of single calls to the host as written", async () => {
    const g =
      guest(`export async function init(ctx: any) { ctx.log.warn("init", ctx.record); ctx.state.put("ready", true); }
export default (r: any, ctx: any) => { console.log("one", ctx.secrets.S); return r; };`);
    expect(g.load).toEqual({ ok: true, mode: "handler", init: true });
    const init = parseCallResult((await g.dispatch("init", undefined)) as string);
    expect(init.outcomes).toEqual([{ ok: true, outputs: [] }]);
    expect(init.writes).toEqual([[0, [{ key: "ready", value: true }]]]);
    expect(g.logs).toEqual([["warn", "init null"]]);
    const single = await batch(g, [rec(1)], "single");
    expect(single.logs).toEqual([]);
    expect(g.logs.at(-1)).toEqual(["info", "one x"]);
    expect(g.progress).toContainEqual([0, true]);
  });

  it("answers a module that fails to load with its message and stack", () => {
    const g = guest(`const x: any = undefined;\nx.boom();\nexport default (r: any) => r;`);
    expect(g.load).toMatchObject({ ok: false, message: expect.stringContaining("TypeError") as unknown });
  });

  it("removes globals outside the contract and survives prototype tampering", async () => {
    const g = guest(`export default (r: any) => {
  Object.defineProperty(Object.prototype, "headers", { set() { throw new Error("trap"); }, configurable: true });
  (Array.prototype as any).push = null;
  JSON.stringify = () => "nope";
  return { value: { wasm: typeof WebAssembly, n: r.value } };
};`);
    const result = await batch(g, [rec(1), rec(2)]);
    expect(result.outcomes.map((o) => o.ok && o.outputs[0]?.record.value)).toEqual([
      { wasm: "undefined", n: 1 },
      { wasm: "undefined", n: 2 },
    ]);
    expect(vm.runInContext("typeof WebAssembly", g.context)).toBe("undefined");
  });
});

describe("the guest core's batch of one record (`one`)", () => {
  // `one` is how most batches of a slow flow arrive (runOne): whatever the handler does, it must
  // answer what `batch` answers for the same record, call after call.
  const cases: [string, string][] = [
    ["returns a record", "export default (r: any) => ({ value: { ...r.value, doubled: r.value.n * 2 } });"],
    [
      "returns records and nothing",
      "export default (r: any) => (r.value.n > 1 ? [r, { value: 2, key: null }] : null);",
    ],
    [
      "logs, emits and returns",
      `export default (r: any, ctx: any) => { console.log("n", r.value.n); ctx.emit("err", { value: 1 }); return r; };`,
    ],
    [
      "writes state, counts and measures",
      `export default (r: any, ctx: any) => { ctx.state.put("k", r.value.n); ctx.metrics.counter("c", 2); ctx.metrics.histogram("h", r.value.n); return r; };`,
    ],
    [
      "only counts",
      `export default (r: any, ctx: any) => { ctx.metrics.counter("c", r.value.n); return r; };`,
    ],
    [
      "only measures",
      `export default (r: any, ctx: any) => { ctx.metrics.histogram("h", r.value.n); return r; };`,
    ],
    [
      "catches an out of memory",
      `export default (r: any, ctx: any) => { try { ctx.state.put("k", { toJSON() { throw "out of memory"; } }); } catch {} return r; };`,
    ],
    [
      "only deletes state",
      `export default (r: any, ctx: any) => { ctx.state.delete("k" + r.value.n); return r; };`,
    ],
    ["throws", `export default (r: any) => { if (r.value.n > 1) throw new RangeError("big"); return r; };`],
    ["returns what is not a record", "export default (r: any) => (r.value.n > 1 ? 5 : { value: () => 1 });"],
    ["throws out of memory", `export default () => { throw "out of memory"; };`],
    [
      "is async and reads state",
      `export default async (r: any, ctx: any) => ({ value: (await ctx.state.get("s")) + r.value.n });`,
    ],
    [
      "is async and fails",
      `export default async (r: any) => { await null; throw new Error("later " + r.value.n); };`,
    ],
    ["writes bytes", `export default (r: any, ctx: any) => { ctx.write(new Uint8Array([r.value.n, 7])); };`],
    [
      "logs past the limit",
      `export default (r: any, ctx: any) => { for (let i = 0; i < 10001; i++) ctx.log.debug("x"); return r; };`,
    ],
    [
      "gives Object.prototype a toJSON",
      `export default (r: any) => { (Object.prototype as any).toJSON = () => "no"; return { value: r.value, headers: { a: "b" } }; };`,
    ],
  ];
  /** The answer as the host reads it, each failure's stack cut after the user's frame (the core's frames differ). */
  const comparable = (text: string, input: WeirRecord, bytes: Uint8Array): unknown => {
    const result = parseCallResult(text, bytes.byteLength > 0 ? bytes : undefined, [input]);
    return {
      ...result,
      outcomes: result.outcomes.map((o) =>
        o.ok ? o.outputs.map((out) => [out.port, { ...out.record }]) : o,
      ),
      failures: result.failures.map(([index, stack]) => [index, stack?.split("\n").slice(0, 2).join("\n")]),
    };
  };
  it.each(cases)("answers as `batch` does when the handler %s", async (_name, code) => {
    const answers = async (operation: string): Promise<unknown[]> => {
      const g = guest(code, { s: 100 }, ["out", "err"]);
      const out: unknown[] = [];
      for (const n of [1, 2, 3]) {
        const input = rec({ n });
        const text = (await g.dispatch(operation, encodeBatch([input]))) as string;
        // Each guest is a realm of its own: its bytes copied into this one, to compare across realms.
        const bytes = new Uint8Array(g.dispatch("take-bytes", undefined) as Uint8Array);
        out.push(text.replace(/\\n {4}at .*?(?=")/g, ""), [...bytes]);
        out.push(comparable(text, input, bytes));
      }
      return out;
    };
    const one = await answers("one");
    expect(one).toEqual(await answers("batch"));
    expect(one[2]).toHaveProperty("outcomes");
  });
});

describe("moduleAsExpression", () => {
  it("turns exported functions into the value of an expression", () => {
    const text =
      "const a = 2;\nexport function double(x) { return x * a; }\nexport async function later() { return a; }";
    const value = vm.runInNewContext(moduleAsExpression(text)) as {
      double(x: number): number;
      later: unknown;
    };
    expect(value.double(4)).toBe(8);
    expect(typeof value.later).toBe("function");
  });

  it("refuses a module that imports or exports anything else", () => {
    expect(() => moduleAsExpression('import x from "y";\nexport function f() {}', "m.js")).toThrow(
      "m.js: only `export function` declarations can be loaded as a guest script, found import",
    );
    expect(() => moduleAsExpression("export const f = 1;", "m.js")).toThrow("found export");
  });

  it("writes output values apart from the result's JSON, as the text the host keeps unparsed", async () => {
    const g = guest(`export default (r: any) => [{ value: r.value }, { value: "s", headers: { x: "y" } }];`);
    const text = (await g.dispatch("batch", encodeBatch([rec({ n: 1, list: [true, null] })]))) as string;
    const values = '{"n":1,"list":[true,null]}"s"';
    expect(text.startsWith(`${values.length}\n${values}{"port":"out","outcomes":[{"ok":true,`)).toBe(true);
    const outcome = parseCallResult(text).outcomes[0];
    if (!outcome?.ok) throw new Error("expected a successful outcome");
    expect(outcome.outputs.map((o) => jsonTextOf(o.record))).toEqual(['{"n":1,"list":[true,null]}', '"s"']);
    expect(outcome.outputs.map((o) => o.record)).toEqual([
      { key: "k", value: { n: 1, list: [true, null] }, headers: { h: "1" }, timestamp: 7 },
      { key: "k", value: "s", headers: { x: "y" }, timestamp: 7 },
    ]);
  });

  it("writes headers without an Object.prototype.toJSON the value's own toJSON put there", async () => {
    const g = guest(`export default () => ({
  value: { toJSON() { (Object.prototype as any).toJSON = () => "poisoned"; return 1; } },
  headers: { a: "b" },
});`);
    const outcome = (await batch(g, [rec(0)])).outcomes[0];
    if (!outcome?.ok) throw new Error("expected a successful outcome");
    expect(outcome.outputs[0]?.record).toEqual({ key: "k", value: 1, headers: { a: "b" }, timestamp: 7 });
  });

  it("answers a record whose outputs all take the input's key, headers and timestamp as their values' spans", async () => {
    const g = guest(
      `export default (r: any, ctx: any) => {
  if (r.value === 0) return [{ value: 1 }, { value: 2 }];
  if (r.value === 1) { r.headers.added = "x"; return { value: 3 }; }
  if (r.value === 2) { ctx.emit("other", { value: 4 }); return { value: 5 }; }
  return [{ value: 6 }, { value: 7, key: "new" }];
};`,
      {},
      ["out", "other"],
    );
    const records = [rec(0), rec(1), rec(2), rec(3)];
    const text = (await g.dispatch("batch", encodeBatch(records))) as string;
    // Only the first record's outputs are plain; the others changed headers, port or key.
    expect(text).toContain('"outcomes":[[0,1,1,1],{"ok":true');
    const result = parseCallResult(text, undefined, records);
    const out = (port: string, value: number, key = "k", headers: Record<string, string> = { h: "1" }) => ({
      port,
      record: { key, value, headers, timestamp: 7 },
    });
    expect(result.outcomes).toEqual([
      { ok: true, outputs: [out("out", 1), out("out", 2)] },
      { ok: true, outputs: [out("out", 3, "k", { h: "1", added: "x" })] },
      { ok: true, outputs: [out("other", 4), out("out", 5)] },
      { ok: true, outputs: [out("out", 6), out("out", 7, "new")] },
    ]);
    const first = result.outcomes[0];
    if (!first?.ok) throw new Error("expected a successful outcome");
    // Each output's headers are its own object, not the input's.
    expect(first.outputs[0]?.record.headers).not.toBe(records[0]?.headers);
    expect(first.outputs[0]?.record.headers).not.toBe(first.outputs[1]?.record.headers);
    expect(() => parseCallResult(text)).toThrow("an input record the call did not have");
  });

  it("checks the input's headers again when the function changed them in place and returns no headers", async () => {
    const g = guest(`export default (r: any) => {
  if (r.value === 0) r.headers.h = 5;
  if (r.value === 1) { r.headers.h = "2"; r.headers.h = "1"; }
  if (r.value === 2) delete r.headers.h;
  return { value: r.value };
};`);
    const records = [rec(0), rec(1), rec(2)];
    const text = (await g.dispatch("batch", encodeBatch(records))) as string;
    // Changed and changed back: the input's headers, plain.
    expect(text).toContain('"}},[0,1],{"ok":true');
    const result = parseCallResult(text, undefined, records);
    expect(result.outcomes).toEqual([
      { ok: false, error: { message: "returned value is not a valid record: header 'h' must be a string" } },
      {
        ok: true,
        outputs: [{ port: "out", record: { key: "k", value: 1, headers: { h: "1" }, timestamp: 7 } }],
      },
      { ok: true, outputs: [{ port: "out", record: { key: "k", value: 2, headers: {}, timestamp: 7 } }] },
    ]);
  });
});
