import { describe, expect, it } from "vitest";
import type { Harness } from "../harness";
import { failureOf, outputsOf, rec, valuesOf } from "../harness";

const RUNNING_SUM = [
  "export async function* stream(records: AsyncIterable<{ value: number }>) {",
  "  let sum = 0;",
  "  for await (const r of records) {",
  '    if (r.value === 99) throw new Error("ninety-nine");',
  "    sum += r.value;",
  "    yield { value: sum };",
  "  }",
  "}",
].join("\n");

export function streamSuite(h: Harness): void {
  describe("stream mode", () => {
    it("keeps order in = order out, within and across batches, with one generator", async () => {
      const { instance } = await h.start(RUNNING_SUM);
      const first = await instance.process([rec(1), rec(2), rec(3)]);
      const second = await instance.process([rec(4), rec(5)]);
      expect(first.map(valuesOf)).toEqual([[1], [3], [6]]);
      expect(second.map(valuesOf)).toEqual([[10], [15]]);
    });

    it("gives what is yielded to the record read last", async () => {
      const { instance } = await h.start(
        [
          "export async function* stream(records) {",
          "  let pending = null;",
          "  for await (const r of records) {",
          "    if (pending === null) { pending = r.value; continue; }",
          "    yield { value: [pending, r.value] };",
          "    yield { value: 'pair done' };",
          "    pending = null;",
          "  }",
          "}",
        ].join("\n"),
        { language: "javascript" },
      );
      const outcomes = await instance.process([rec(1), rec(2), rec(3)]);
      const later = await instance.process([rec(4)]);
      expect(outcomes.map(valuesOf)).toEqual([[], [[1, 2], "pair done"], []]);
      expect(later.map(valuesOf)).toEqual([[[3, 4], "pair done"]]);
    });

    it("fails the current record when the stream throws, and restarts it for the next", async () => {
      const { instance } = await h.start(RUNNING_SUM);
      const [one, bad, two] = await instance.process([rec(1), rec(99), rec(2)]);
      expect(valuesOf(one)).toEqual([1]);
      expect(failureOf(bad)).toMatchObject({ message: "ninety-nine", line: 4 });
      expect(valuesOf(two)).toEqual([2]);
      const [three] = await instance.process([rec(3)]);
      expect(valuesOf(three)).toEqual([5]);
    });

    it("has ctx.emit, ctx.record and state in stream mode", async () => {
      const { instance, host } = await h.start(
        [
          "export async function* stream(records: AsyncIterable<any>, ctx: any) {",
          "  for await (const r of records) {",
          '    const seen = ((await ctx.state.get("seen")) ?? 0) + 1;',
          '    ctx.state.put("seen", seen);',
          '    ctx.emit("alerts", { value: ctx.record.key });',
          '    if (r.value === "bad") throw new Error("bad record");',
          "    yield { value: seen };",
          "  }",
          "}",
        ].join("\n"),
      );
      const outcomes = await instance.process([
        rec(1, { key: "a" }),
        rec("bad", { key: "b" }),
        rec(2, { key: "c" }),
      ]);
      expect(outputsOf(outcomes[0]).map((o) => [o.port, o.record.value])).toEqual([
        ["alerts", "a"],
        ["out", 1],
      ]);
      expect(failureOf(outcomes[1]).message).toBe("bad record");
      expect(outputsOf(outcomes[2]).map((o) => [o.port, o.record.value])).toEqual([
        ["alerts", "c"],
        ["out", 2],
      ]);
      expect(host.store.get("seen")).toBe(2);
    });

    it("is used only when there is no default export", async () => {
      const { instance } = await h.start(
        "export default (r: any) => ({ value: 'handler' });\nexport async function* stream(records: any) { for await (const r of records) yield { value: 'stream' }; }",
      );
      const [outcome] = await instance.process([rec(1)]);
      expect(valuesOf(outcome)).toEqual(["handler"]);
    });
  });
}
