import { describe, expect, it } from "vitest";
import type { Harness } from "../harness";
import { failureOf, rec, valuesOf } from "../harness";

export function contextSuite(h: Harness): void {
  describe("ctx", () => {
    it("sends ctx.log and console output to the host log, with levels, in order", async () => {
      const { instance, host } = await h.start(
        [
          "export default (r: any, ctx: any) => {",
          '  ctx.log.debug("d");',
          '  ctx.log.info("i", 1, { a: [1] }, null);',
          '  ctx.log.warn("w");',
          '  ctx.log.error("e");',
          '  console.log("c", r.value);',
          '  console.error(new Error("oops"));',
          '  if (r.value === 2) throw new Error("failed");',
          "};",
        ].join("\n"),
      );
      await instance.process([rec(1), rec(2)]);
      expect(host.logs.slice(0, 6)).toEqual([
        { level: "debug", message: "d" },
        { level: "info", message: 'i 1 {"a":[1]} null' },
        { level: "warn", message: "w" },
        { level: "error", message: "e" },
        { level: "info", message: "c 1" },
        { level: "error", message: "Error: oops" },
      ]);
      // A failed record's log lines are kept: they are what explains the failure.
      expect(host.messages("info")).toContain("c 2");
    });

    it("lets the function read its secrets but never log them", async () => {
      const secret = "hunter2-very-secret";
      const { instance, host } = await h.start(
        [
          "export default (r: any, ctx: any) => {",
          "  const token = ctx.secrets.API_TOKEN;",
          "  ctx.log.info(`token is ${token}`);",
          "  console.warn({ token });",
          "  if (r.value === 2) throw new Error(`rejected ${token}`);",
          "  return { value: [token.length, Object.isFrozen(ctx.secrets)] };",
          "};",
        ].join("\n"),
        { secrets: { API_TOKEN: secret } },
      );
      const [ok, bad] = await instance.process([rec(1), rec(2)]);
      expect(valuesOf(ok)).toEqual([[secret.length, true]]);
      expect(host.messages()).toContain("token is ***");
      expect(host.logs.some((entry) => entry.message.includes(secret))).toBe(false);
      expect(failureOf(bad).message).toBe("rejected ***");
    });

    it("gives params as a deep-frozen copy", async () => {
      const { instance } = await h.start(
        [
          "export default (r: any, ctx: any) => {",
          "  if (r.value === 1) ctx.params.nested.factor = 100;",
          "  return { value: [ctx.params.nested.factor, Object.isFrozen(ctx.params), Object.isFrozen(ctx.params.nested)] };",
          "};",
        ].join("\n"),
        { params: { nested: { factor: 3 } } },
      );
      const [mutate, read] = await instance.process([rec(1), rec(2)]);
      expect(failureOf(mutate).message).toMatch(/read.only|frozen|not extensible|Cannot assign/i);
      expect(valuesOf(read)).toEqual([[3, true, true]]);
    });

    it("hands counters and histograms to the host", async () => {
      const { instance, host } = await h.start(
        [
          "export default (r: any, ctx: any) => {",
          '  ctx.metrics.counter("records");',
          '  ctx.metrics.counter("bytes", r.value);',
          '  ctx.metrics.histogram("size", r.value / 2);',
          "};",
        ].join("\n"),
      );
      await instance.process([rec(10), rec(20)]);
      await instance.process([rec(30)]);
      expect(host.counters.get("records")).toBe(3);
      expect(host.counters.get("bytes")).toBe(60);
      expect(host.histograms.get("size")).toEqual([5, 10, 15]);
    });

    it("describes the current record in ctx.record", async () => {
      const { instance } = await h.start("export default (r: any, ctx: any) => ({ value: ctx.record });");
      const [outcome] = await instance.process([rec("v", { key: "id", headers: { a: "b" }, timestamp: 9 })]);
      expect(valuesOf(outcome)).toEqual([{ key: "id", headers: { a: "b" }, timestamp: 9 }]);
    });
  });
}
