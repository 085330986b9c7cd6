import { describe, expect, it } from "vitest";
import type { Harness } from "../harness";

export function checkSuite(h: Harness): void {
  describe("check", () => {
    it("accepts a handler and a stream-only function", async () => {
      const runtime = h.runtime();
      await expect(
        runtime.check(h.source("export default async function handle(r) { return r; }", "javascript")),
      ).resolves.toEqual([]);
      await expect(
        runtime.check(
          h.source(
            "export async function* stream(records: AsyncIterable<unknown>) {\n  for await (const r of records) yield r;\n}",
          ),
        ),
      ).resolves.toEqual([]);
    });

    it("reports a syntax error with its line and column", async () => {
      const problems = await h.runtime().check(h.source("export default (r) => {\n  return r +;\n}"));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ line: 2, column: 13 });
      expect(problems[0]?.message).not.toBe("");
    });

    it("reports imports with their line and column", async () => {
      const problems = await h
        .runtime()
        .check(
          h.source(
            [
              "// reads a file",
              'import fs from "fs";',
              "export default async function handle(r) {",
              '  const os = await import("os");',
              "  return r;",
              "}",
            ].join("\n"),
          ),
        );
      expect(problems).toEqual([
        {
          line: 2,
          column: 1,
          message: expect.stringContaining("imports are not available in functions") as unknown,
        },
        {
          line: 4,
          column: 20,
          message: expect.stringContaining("imports are not available in functions") as unknown,
        },
      ]);
    });

    it("allows type-only imports, which leave nothing behind", async () => {
      const problems = await h
        .runtime()
        .check(
          h.source(
            'import type { Handler } from "@weir/function";\nexport default (async (r) => r) satisfies Handler;',
          ),
        );
      expect(problems).toEqual([]);
    });

    it("reports a module without a handler at line 1, column 1", async () => {
      const problems = await h.runtime().check(h.source("export const answer = 42;\n", "javascript"));
      expect(problems).toEqual([
        { line: 1, column: 1, message: expect.stringContaining("export default") as unknown },
      ]);
    });

    it("refuses to create an instance from code that does not check", async () => {
      await expect(h.start("export default (r) => {\n  return r +;\n}")).rejects.toThrow(/line 2/);
      await expect(h.start('import fs from "fs";\nexport default () => {};')).rejects.toThrow(
        "imports are not available in functions",
      );
    });
  });
}
