import { describe, expect, it } from "vitest";
import type { Harness } from "../harness";
import { failureOf, rec, valuesOf } from "../harness";
import { createMemoryHost } from "../memory-host";

const COUNTER = [
  "export default async (r: any, ctx: any) => {",
  '  const n = ((await ctx.state.get("n")) ?? 0) + 1;',
  '  ctx.state.put("n", n);',
  '  ctx.state.put("last", { value: r.value });',
  '  if (r.value === "bad") throw new Error("failed after writing");',
  "  return { value: n };",
  "};",
].join("\n");

export function stateSuite(h: Harness): void {
  describe("state", () => {
    it("reads its own writes and those of earlier records in the batch; the store gets them in record order", async () => {
      const { instance, host } = await h.start(COUNTER);
      const outcomes = await instance.process([rec(1), rec(2), rec(3)]);
      expect(outcomes.map(valuesOf)).toEqual([[1], [2], [3]]);
      expect(host.store.get("n")).toBe(3);
      expect(host.store.get("last")).toEqual({ value: 3 });
      expect(host.applied).toEqual(
        [1, 2, 3].map((n) => [
          { key: "n", value: n },
          { key: "last", value: { value: n } },
        ]),
      );
      const [next] = await instance.process([rec(4)]);
      expect(valuesOf(next)).toEqual([4]);
    });

    it("does not apply, nor show to later records, the writes of a failed record", async () => {
      const { instance, host } = await h.start(COUNTER);
      const [one, bad, two] = await instance.process([rec(1), rec("bad"), rec(2)]);
      expect(valuesOf(one)).toEqual([1]);
      expect(failureOf(bad).message).toBe("failed after writing");
      expect(valuesOf(two)).toEqual([2]);
      expect(host.store.get("n")).toBe(2);
      expect(host.store.get("last")).toEqual({ value: 2 });
      expect(host.applied).toHaveLength(2);
    });

    it("deletes keys, and a deleted key reads as undefined", async () => {
      const host = createMemoryHost();
      host.store.set("gone", "soon");
      const { instance } = await h.start(
        [
          "export default async (r: any, ctx: any) => {",
          '  ctx.state.delete("gone");',
          '  ctx.state.put("temp", 1);',
          '  ctx.state.delete("temp");',
          '  return { value: [await ctx.state.get("gone"), await ctx.state.get("temp")] };',
          "};",
        ].join("\n"),
        { host },
      );
      const [outcome] = await instance.process([rec(1)]);
      expect(valuesOf(outcome)).toEqual([[null, null]]);
      expect(host.store.has("gone")).toBe(false);
      expect(host.store.has("temp")).toBe(false);
    });

    it("is durable: a new instance on the same store sees the values", async () => {
      const first = await h.start(COUNTER);
      await first.instance.process([rec(1), rec(2)]);
      await first.instance.close();
      const second = await h.start(COUNTER, { host: createMemoryHost({ store: first.host.store }) });
      const [outcome] = await second.instance.process([rec(3)]);
      expect(valuesOf(outcome)).toEqual([3]);
    });

    it("hands out copies: changing a value read does not change the state", async () => {
      const host = createMemoryHost();
      host.store.set("config", { level: 1 });
      const { instance } = await h.start(
        [
          "export default async (r: any, ctx: any) => {",
          '  const config = await ctx.state.get("config");',
          "  config.level = 99;",
          '  return { value: (await ctx.state.get("config")).level };',
          "};",
        ].join("\n"),
        { host },
      );
      const [outcome] = await instance.process([rec(1)]);
      expect(valuesOf(outcome)).toEqual([1]);
      expect(host.store.get("config")).toEqual({ level: 1 });
    });

    it("fails a record that puts a value which is not JSON", async () => {
      const { instance, host } = await h.start(
        "export default (r: any, ctx: any) => { ctx.state.put('x', r.value === 1 ? undefined : r.value); return { value: r.value }; };",
      );
      const [bad, good] = await instance.process([rec(1), rec(2)]);
      expect(failureOf(bad).message).toContain("JSON");
      expect(valuesOf(good)).toEqual([2]);
      expect(host.store.get("x")).toBe(2);
    });
  });
}
