import { describe, expect, it } from "vitest";
import type { Harness } from "../harness";
import { failureOf, outputsOf, rec, valuesOf } from "../harness";

export function outputsSuite(h: Harness): void {
  describe("outputs and ports", () => {
    it("sends a returned record to the first port, filling key, headers and timestamp from the input", async () => {
      const { instance } = await h.start("export default (r: any) => ({ value: r.value + 1 });", {
        ports: ["main", "other"],
      });
      const [outcome] = await instance.process([rec(1, { key: "a", headers: { h: "1" }, timestamp: 5 })]);
      expect(outcome).toEqual({
        ok: true,
        outputs: [{ port: "main", record: { key: "a", value: 2, headers: { h: "1" }, timestamp: 5 } }],
      });
    });

    it("keeps the fields a returned record sets", async () => {
      const { instance } = await h.start(
        'export default (r: any) => ({ value: { n: r.value }, key: null, headers: { x: "y" }, timestamp: 7 });',
      );
      const [outcome] = await instance.process([rec(1)]);
      expect(outputsOf(outcome)).toEqual([
        { port: "out", record: { key: null, value: { n: 1 }, headers: { x: "y" }, timestamp: 7 } },
      ]);
    });

    it("sends every record of a returned array, in order", async () => {
      const { instance } = await h.start(
        "export default async (r: any) => [{ value: r.value }, { value: -r.value }, { value: 0 }];",
      );
      const [outcome] = await instance.process([rec(3)]);
      expect(valuesOf(outcome)).toEqual([3, -3, 0]);
    });

    it("sends nothing when the handler returns nothing", async () => {
      const { instance } = await h.start(
        "export default async (r: any) => { if (r.value === 1) return null; if (r.value === 2) return []; };",
      );
      const outcomes = await instance.process([rec(0), rec(1), rec(2)]);
      expect(outcomes).toEqual([
        { ok: true, outputs: [] },
        { ok: true, outputs: [] },
        { ok: true, outputs: [] },
      ]);
    });

    it("routes with ctx.emit; emitted records come before the returned ones", async () => {
      const { instance } = await h.start(
        [
          "export default async (r: any, ctx: any) => {",
          '  ctx.emit("alerts", { value: "big", key: "alert" });',
          '  ctx.emit("out", { value: "first" });',
          "  return { value: r.value };",
          "};",
        ].join("\n"),
      );
      const [outcome] = await instance.process([rec(9)]);
      expect(outputsOf(outcome).map((o) => [o.port, o.record.key, o.record.value])).toEqual([
        ["alerts", "alert", "big"],
        ["out", "k", "first"],
        ["out", "k", 9],
      ]);
    });

    it("gives one outcome per input record, in input order", async () => {
      const { instance } = await h.start(
        "export default async (r: any) => { if (r.value % 3 === 0) throw new Error('three'); return r.value % 2 ? { value: r.value } : undefined; };",
      );
      const outcomes = await instance.process([1, 2, 3, 4, 5, 6, 7].map((n) => rec(n)));
      expect(outcomes.map((o) => (o.ok ? o.outputs.map((x) => x.record.value) : o.error.message))).toEqual([
        [1],
        [],
        "three",
        [],
        [5],
        "three",
        [7],
      ]);
    });

    it("returns no outcomes for an empty batch", async () => {
      const { instance } = await h.start("export default (r: any) => r;");
      await expect(instance.process([])).resolves.toEqual([]);
    });

    it("hands the handler the whole record", async () => {
      const { instance } = await h.start(
        "export default (r: any) => ({ value: [r.key, r.value, r.headers, r.timestamp] });",
      );
      const [outcome] = await instance.process([
        rec({ a: [1, "x"] }, { key: "id-1", headers: { t: "v" }, timestamp: 42 }),
      ]);
      expect(valuesOf(outcome)).toEqual([["id-1", { a: [1, "x"] }, { t: "v" }, 42]]);
    });

    it("runs JavaScript as well as TypeScript", async () => {
      const { instance } = await h.start(
        "export default function handle(r, ctx) { return { value: r.value * 2 }; }",
        {
          language: "javascript",
        },
      );
      const [outcome] = await instance.process([rec(21)]);
      expect(valuesOf(outcome)).toEqual([42]);
    });

    it("fails a record that emits to an unknown port, and only that record", async () => {
      const { instance } = await h.start(
        "export default (r: any, ctx: any) => { if (r.value === 1) ctx.emit('nope', { value: 1 }); return { value: r.value }; };",
      );
      const [bad, good] = await instance.process([rec(1), rec(2)]);
      expect(failureOf(bad).message).toContain("nope");
      expect(valuesOf(good)).toEqual([2]);
      const [next] = await instance.process([rec(3)]);
      expect(valuesOf(next)).toEqual([3]);
    });

    it.each([
      ["a number", "42"],
      ["a string", '"text"'],
      ["an object without value", "{ foo: 1 }"],
      ["an array holding a non-record", "[{ value: 1 }, 2]"],
      ["a record with a bad key", "{ value: 1, key: 5 }"],
      ["a record with a bad timestamp", "{ value: 1, timestamp: -1 }"],
      ["a record with a bad header", "{ value: 1, headers: { a: 1 } }"],
      ["a record whose value is not JSON", "{ value: 10n }"],
    ])("fails a record whose handler returns %s, and only that record", async (_what, returned) => {
      const { instance } = await h.start(
        `export default (r: any): unknown => (r.value === "bad" ? ${returned} : { value: r.value });`,
      );
      const [bad, good] = await instance.process([rec("bad"), rec(2)]);
      expect(failureOf(bad).message).toMatch(/not a (valid )?record/);
      expect(valuesOf(good)).toEqual([2]);
    });
  });
}
