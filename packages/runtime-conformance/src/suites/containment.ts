import { describe, expect, it } from "vitest";
import type { Harness } from "../harness";
import { ATTACK_LINE, CONTAINMENT_LIMITS, SLOW, expectContained, failureOf, rec, valuesOf } from "../harness";

/**
 * Hostile or broken code: each case fails the bad record with a clear error, while the records
 * around it in the same batch, and the next batch, are processed as if nothing happened.
 */
export function containmentSuite(h: Harness): void {
  describe("containment", () => {
    it("reports a thrown Error with its message and line", async () => {
      await expectContained(h, 'throw new Error("boom");', (failure) => {
        expect(failure).toEqual({ message: "boom", line: ATTACK_LINE });
      });
    });

    it.each([
      ["a string", '"plain words"', "plain words"],
      ["a number", "42", "42"],
      ["an object", '{ code: "E42" }', "E42"],
      ["null", "null", "null"],
      ["undefined", "undefined", "undefined"],
    ])("reports a thrown non-Error (%s) clearly", async (_what, value, shown) => {
      await expectContained(h, `throw ${value};`, (failure) => {
        expect(failure.message).toContain(shown);
        expect(failure.message).toMatch(/non-Error/);
      });
    });

    it("reports a rejected promise", async () => {
      await expectContained(h, 'await Promise.reject(new TypeError("rejected"));', (failure) => {
        expect(failure.message).toContain("rejected");
        expect(failure.line).toBe(ATTACK_LINE);
      });
    });

    it("contains a stack overflow", async () => {
      await expectContained(h, "const f = (n: number): number => f(n + 1) + 1; f(0);", (failure) => {
        expect(failure.message).toMatch(/call stack/i);
      });
    });

    it(
      "stops an endless loop at the time limit, resets the instance, and counts nothing twice",
      async () => {
        const { host } = await expectContained(
          h,
          'ctx.metrics.counter("bad"); ctx.state.put("bad", true); while (true) {}',
          (failure) => {
            expect(failure.message).toMatch(/timed out/);
            expect(failure.instanceReset).toBe(true);
          },
        );
        expect(host.counters.get("bad")).toBeUndefined();
        expect(host.store.has("bad")).toBe(false);
      },
      SLOW,
    );

    it(
      "applies the state of the records around a runaway one exactly once",
      async () => {
        const { instance, host } = await h.start(
          [
            "export default async (r: any, ctx: any) => {",
            '  const n = ((await ctx.state.get("n")) ?? 0) + 1;',
            '  ctx.state.put("n", n);',
            '  ctx.metrics.counter("done");',
            '  if (r.value === "bad") while (true) {}',
            "  return { value: n };",
            "};",
          ].join("\n"),
          CONTAINMENT_LIMITS,
        );
        const outcomes = await instance.process([rec(1), rec(2), rec("bad"), rec(3)]);
        expect(outcomes.map((o) => (o.ok ? o.outputs.map((x) => x.record.value) : "failed"))).toEqual([
          [1],
          [2],
          "failed",
          [3],
        ]);
        expect(host.store.get("n")).toBe(3);
        expect(host.counters.get("done")).toBe(3);
      },
      SLOW,
    );

    it(
      "stops an endless chain of microtasks",
      async () => {
        await expectContained(h, "while (true) await null;", (failure) => {
          expect(failure.message).toMatch(/timed out/);
          expect(failure.instanceReset).toBe(true);
        });
      },
      SLOW,
    );

    it(
      "stops a record waiting on a promise that never settles",
      async () => {
        await expectContained(h, "await new Promise(() => {});", (failure) => {
          expect(failure.message).toMatch(/timed out/);
          expect(failure.instanceReset).toBe(true);
        });
      },
      SLOW,
    );

    it(
      "survives a memory bomb: the record fails and the instance is recreated",
      async () => {
        await expectContained(
          h,
          "const hoard: number[][] = []; while (true) hoard.push(new Array(100_000).fill(1.5));",
          (failure) => {
            expect(failure.message).toMatch(/memory/i);
            expect(failure.instanceReset).toBe(true);
          },
          { timeoutMs: h.options.memoryBombTimeoutMs ?? CONTAINMENT_LIMITS.timeoutMs },
        );
      },
      SLOW,
    );

    it("has no process to exit", async () => {
      await expectContained(h, "(globalThis as any).process.exit(1);", (failure) => {
        expect(failure.message).toMatch(/undefined|has no attribute 'process'/);
      });
      await expectContained(h, "process.exit(1);", (failure) => {
        // Python's words for the same thing: "NameError: name 'process' is not defined".
        expect(failure.message).toMatch(/^(ReferenceError:|NameError: name) '?process'? is not defined$/);
        expect(failure.line).toBe(ATTACK_LINE);
      });
    });

    it("has no require", async () => {
      await expectContained(h, 'require("fs").readFileSync("/etc/passwd");', (failure) => {
        expect(failure.message).toMatch(/require'? is not defined/);
      });
    });

    it("does not escape through the Function constructor", async () => {
      await expectContained(h, '({}).constructor.constructor("return process")().exit(1);', (failure) => {
        expect(failure.message).toMatch(/process'? is not defined/);
      });
      await expectContained(
        h,
        '(function (this: any) { return this.constructor.constructor("return process")(); })().exit(1);',
        (failure) => {
          expect(failure.message).not.toBe("");
        },
      );
    });

    it("offers nothing of Node on the global object", async () => {
      const { instance } = await h.start(
        [
          "export default () => {",
          '  const global = Function("return this")();',
          '  const names = ["process", "require", "module", "Buffer", "setTimeout", "setInterval", "setImmediate", "queueMicrotask", "fetch", "XMLHttpRequest", "WebSocket"];',
          "  return { value: names.filter((name) => global[name] !== undefined) };",
          "};",
        ].join("\n"),
        { language: "javascript" },
      );
      const [outcome] = await instance.process([rec(1)]);
      expect(valuesOf(outcome)).toEqual([[]]);
    });

    it("allows eval and new Function, which reach nothing more", async () => {
      const { instance } = await h.start(
        "export default () => ({ value: [eval('1 + 1'), new Function('return typeof process')()] });",
      );
      const [outcome] = await instance.process([rec(1)]);
      expect(valuesOf(outcome)).toEqual([[2, "undefined"]]);
    });

    it("keeps prototype tampering inside the instance, without breaking the runtime", async () => {
      const tamper = [
        "(Object.prototype as any).x = 1;",
        "(Array.prototype as any).push = null;",
        "(Array.prototype as any).map = () => { throw new Error('poisoned map'); };",
        "(Array.prototype as any).join = null;",
        "(Object as any).keys = () => [];",
        "(Object as any).freeze = null;",
        "(JSON as any).stringify = () => '\"poisoned\"';",
        "(JSON as any).parse = () => ({ poisoned: true });",
        "(Reflect as any).apply = null;",
        "(Function.prototype as any).call = null;",
        "(Function.prototype as any).apply = null;",
        "(String.prototype as any).slice = null;",
        "(Promise.prototype as any).then = null;",
        "(Object.prototype as any).get = function () { return 1; };",
        "Object.defineProperty(Array.prototype, '0', { set() { throw new Error('poisoned index'); }, configurable: true });",
        "Object.defineProperty(Object.prototype, 'outputs', { set() { throw new Error('poisoned setter'); }, configurable: true });",
      ];
      const { instance, host } = await h.start(
        [
          "export default async (r: any, ctx: any) => {",
          "  if (r.value === 1) {",
          ...tamper.map((line) => `    ${line}`),
          "  }",
          '  const seen = ((await ctx.state.get("seen")) ?? 0) + 1;',
          '  ctx.state.put("seen", seen);',
          '  ctx.log.info("record", { n: r.value });',
          '  ctx.emit("alerts", { value: seen, headers: { h: "v" } });',
          "  return { value: r.value * 2 };",
          "};",
        ].join("\n"),
      );
      const first = await instance.process([rec(1), rec(2)]);
      const second = await instance.process([rec(3)]);
      const expected = (seen: number, doubled: number): unknown => ({
        ok: true,
        outputs: [
          { port: "alerts", record: { key: "k", value: seen, headers: { h: "v" }, timestamp: 1_000 } },
          { port: "out", record: { key: "k", value: doubled, headers: {}, timestamp: 1_000 } },
        ],
      });
      expect(first).toEqual([expected(1, 2), expected(2, 4)]);
      expect(second).toEqual([expected(3, 6)]);
      expect(host.store.get("seen")).toBe(3);
      expect(host.messages("info")).toEqual(['record {"n":1}', 'record {"n":2}', 'record {"n":3}']);

      // Nothing leaked into the host…
      expect((Object.prototype as Record<string, unknown>).x).toBeUndefined();
      expect(typeof Array.prototype.push).toBe("function");
      expect(JSON.stringify({ a: 1 })).toBe('{"a":1}');
      // …nor into another instance.
      const other = await h.start(
        "export default () => ({ value: [({} as any).x, typeof [].push, JSON.stringify([1])] });",
      );
      const [outcome] = await other.instance.process([rec(0)]);
      expect(valuesOf(outcome)).toEqual([[null, "function", "[1]"]]);
    });

    it("keeps ctx intact when the function tries to change it", async () => {
      await expectContained(h, "ctx.emit = null;", (failure) => {
        expect(failure.message).toMatch(/read.only|Cannot assign/);
      });
    });

    it(
      "makes createInstance reject when the module or init never finishes",
      async () => {
        await expect(
          h.start("while (true) {}\nexport default (r: any) => r;", CONTAINMENT_LIMITS),
        ).rejects.toThrow(/timed out/);
        await expect(
          h.start(
            "export async function init() { await new Promise(() => {}); }\nexport default (r: any) => r;",
            {
              ...CONTAINMENT_LIMITS,
            },
          ),
        ).rejects.toThrow(/timed out/);
      },
      SLOW,
    );

    it("reports the failing record only, when several fail in one batch", async () => {
      const { instance } = await h.start(
        "export default (r: any) => { if (r.value < 0) throw new RangeError(`negative: ${r.value}`); return { value: r.value }; };",
        CONTAINMENT_LIMITS,
      );
      const outcomes = await instance.process([rec(-1), rec(1), rec(-2), rec(2)]);
      expect(outcomes.map((o) => (o.ok ? o.outputs.length : failureOf(o).message))).toEqual([
        "RangeError: negative: -1",
        1,
        "RangeError: negative: -2",
        1,
      ]);
    });
  });
}
