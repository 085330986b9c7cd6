import { describe, expect, it } from "vitest";
import type { FunctionSpec, WeirRecord } from "@weir/domain";
import { vmRuntime } from "./vm-runtime";

const logs: string[] = [];
const host = {
  log: {
    debug: (m: string) => logs.push(`debug ${m}`),
    info: (m: string) => logs.push(`info ${m}`),
    warn: (m: string) => logs.push(`warn ${m}`),
    error: (m: string) => logs.push(`error ${m}`),
  },
};
const spec = (code: string, extra: Partial<FunctionSpec> = {}): FunctionSpec => ({
  nodeId: "fn",
  code,
  language: "typescript",
  params: { factor: 3 },
  ports: ["out", "alerts"],
  timeoutMs: 200,
  ...extra,
});
const rec = (value: number): WeirRecord => ({ key: "k", value, headers: {}, timestamp: 1 });

describe("js runtime (first cut)", () => {
  it("runs a TypeScript handler over a batch, keeping order and filling record fields", async () => {
    const instance = await vmRuntime.createInstance(
      spec(
        "export default function handle(r: { value: number }, ctx: any) { return { value: r.value * ctx.params.factor }; }",
      ),
      host,
    );
    const outcomes = await instance.process([rec(1), rec(2)]);
    expect(outcomes).toEqual([
      { ok: true, outputs: [{ port: "out", record: { key: "k", value: 3, headers: {}, timestamp: 1 } }] },
      { ok: true, outputs: [{ port: "out", record: { key: "k", value: 6, headers: {}, timestamp: 1 } }] },
    ]);
  });

  it("routes with ctx.emit, returns arrays, and drops nothing for undefined", async () => {
    const instance = await vmRuntime.createInstance(
      spec(`export default async (r, ctx) => {
        if (r.value > 1) ctx.emit("alerts", { value: "big" });
        if (r.value === 0) return;
        return [{ value: r.value }, { value: -r.value }];
      }`),
      host,
    );
    const [zero, two] = await instance.process([rec(0), rec(2)]);
    expect(zero).toEqual({ ok: true, outputs: [] });
    expect(two?.ok && two.outputs.map((o) => [o.port, o.record.value])).toEqual([
      ["alerts", "big"],
      ["out", 2],
      ["out", -2],
    ]);
  });

  it("reports a thrown error with its line and keeps serving the next record", async () => {
    const instance = await vmRuntime.createInstance(
      spec("export default (r) => {\n  if (r.value === 1) throw new Error('boom');\n  return r;\n}"),
      host,
    );
    const [bad, good] = await instance.process([rec(1), rec(2)]);
    expect(bad).toEqual({ ok: false, error: { message: "boom", line: 2 } });
    expect(good?.ok).toBe(true);
  });

  it("rejects a returned non-record and an unknown port", async () => {
    const instance = await vmRuntime.createInstance(
      spec("export default (r, ctx) => { if (r.value === 1) return 42; ctx.emit('nope', r); }"),
      host,
    );
    const [nonRecord, badPort] = await instance.process([rec(1), rec(2)]);
    expect(nonRecord).toMatchObject({
      ok: false,
      error: { message: "returned value is not a record: expected an object with a 'value' field" },
    });
    expect(badPort).toMatchObject({
      ok: false,
      error: { message: "ctx.emit: no output port 'nope' (ports: out, alerts)" },
    });
  });

  it("stops a synchronous infinite loop at the time limit", async () => {
    const instance = await vmRuntime.createInstance(
      spec("export default (r) => { while (r.value === 1) {} return r; }"),
      host,
    );
    const [looped] = await instance.process([rec(1)]);
    expect(looped).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining("timed out") as unknown },
    });
    const [next] = await instance.process([rec(2)]);
    expect(next?.ok).toBe(true);
  });

  it("reports a syntax error with line and column, at check and at creation", async () => {
    const broken = spec("export default (r) => {\n  return r +;\n}");
    await expect(vmRuntime.check(broken)).resolves.toEqual([
      { message: "Expression expected.", line: 2, column: 13 },
    ]);
    await expect(vmRuntime.createInstance(broken, host)).rejects.toThrow(
      "line 2, column 13: Expression expected.",
    );
  });

  it("refuses code without a default export", async () => {
    await expect(vmRuntime.createInstance(spec("export const x = 1;"), host)).rejects.toThrow(
      "no default export function",
    );
  });

  it("sends console output to the node's log", async () => {
    const instance = await vmRuntime.createInstance(
      spec("export default (r) => { console.log('saw', r.value); }"),
      host,
    );
    await instance.process([rec(5)]);
    expect(logs).toContain("info saw 5");
  });
});
