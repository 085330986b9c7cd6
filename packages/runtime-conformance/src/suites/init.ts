import { describe, expect, it } from "vitest";
import type { Harness } from "../harness";
import { rec, valuesOf } from "../harness";
import { createMemoryHost } from "../memory-host";

export function initSuite(h: Harness): void {
  describe("init", () => {
    it("runs once per instance, before the first record", async () => {
      const { instance, host } = await h.start(
        [
          "let calls = 0;",
          "let ready = false;",
          "export async function init(ctx: any) {",
          "  calls++;",
          "  await Promise.resolve();",
          "  ready = true;",
          '  ctx.log.info("init ran");',
          "}",
          "export default (r: any) => ({ value: [calls, ready] });",
        ].join("\n"),
      );
      const [first] = await instance.process([rec(1)]);
      const [second] = await instance.process([rec(2)]);
      expect(valuesOf(first)).toEqual([[1, true]]);
      expect(valuesOf(second)).toEqual([[1, true]]);
      expect(host.messages().filter((m) => m === "init ran")).toHaveLength(1);
    });

    it("sees params and state", async () => {
      const host = createMemoryHost();
      host.store.set("seed", 40);
      const { instance } = await h.start(
        [
          "let start = 0;",
          "export async function init(ctx: any) {",
          '  start = (await ctx.state.get("seed")) + ctx.params.offset;',
          "}",
          "export default () => ({ value: start });",
        ].join("\n"),
        { host, params: { offset: 2 } },
      );
      const [outcome] = await instance.process([rec(0)]);
      expect(valuesOf(outcome)).toEqual([42]);
    });

    it("makes createInstance reject with the error of a throwing init, and its line", async () => {
      const code = [
        "export function init() {",
        '  throw new Error("the model is missing");',
        "}",
        "export default (r: any) => r;",
      ].join("\n");
      const failure = h.start(code);
      await expect(failure).rejects.toThrow("the model is missing");
      await expect(failure).rejects.toThrow(/line 2/);
    });

    it("makes createInstance reject when an async init rejects", async () => {
      await expect(
        h.start(
          "export async function init() { await Promise.resolve(); throw new Error('cannot warm up'); }\nexport default (r: any) => r;",
        ),
      ).rejects.toThrow("cannot warm up");
    });

    it("makes createInstance reject when the module throws while loading", async () => {
      await expect(
        h.start("const config = JSON.parse('{');\nexport default (r: any) => ({ value: config });"),
      ).rejects.toThrow(/JSON/);
    });
  });
}
