import { readFileSync } from "node:fs";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { compile } from "./compile";

const problemsOf = (code: string, language: "typescript" | "javascript" = "typescript") =>
  compile({ code, language }).problems;

describe("compile", () => {
  it("strips types into CommonJS and maps generated lines back to the source", () => {
    const code = [
      "interface Order {",
      "  id: string;",
      "}",
      "",
      "type Id = string;",
      "export default function handle(record: { value: Order }): Id {",
      "  throw new Error(record.value.id);",
      "}",
    ].join("\n");
    const { js, lines, problems } = compile({ code, language: "typescript" });
    expect(problems).toEqual([]);
    expect(js).toContain("exports.default = handle;");
    const throwLine = js.split("\n").findIndex((line) => line.includes("throw new Error")) + 1;
    expect(lines.get(throwLine)).toBe(7);
  });

  it.each([
    ['import fs from "fs";', 1, 1],
    ['import { readFile } from "node:fs";', 1, 1],
    ['import * as path from "path";', 1, 1],
    ['import "side-effect";', 1, 1],
    ['export * from "elsewhere";', 1, 1],
    ['export { x } from "elsewhere";', 1, 1],
    ['import cp = require("child_process");', 1, 1],
    ['const m = () => import("os");', 1, 17],
  ])("reports `%s` as an import at %i:%i", (statement, line, column) => {
    const problems = problemsOf(`${statement}\nexport default (r: unknown) => r;`);
    expect(problems).toEqual([
      {
        line,
        column,
        message: expect.stringContaining("imports are not available in functions: use ctx") as unknown,
      },
    ]);
  });

  it("allows type-only imports", () => {
    expect(
      problemsOf(
        'import type { Handler } from "@weir/function";\nimport { type Ctx } from "@weir/function";\nexport default ((r) => r) satisfies Handler;\nexport type C = Ctx;',
      ),
    ).toEqual([]);
  });

  it("reports import.meta", () => {
    expect(problemsOf("export default () => ({ value: import.meta.url });")).toEqual([
      { line: 1, column: 32, message: "import.meta is not available in functions" },
    ]);
  });

  it.each([
    "export default async function handle() {}",
    "export default (r) => r;",
    "const h = (r) => r;\nexport { h as default };",
    "export async function* stream(records) { for await (const r of records) yield r; }",
    "export const stream = async function* (records) { for await (const r of records) yield r; };",
  ])("finds the handler in `%s`", (code) => {
    expect(problemsOf(code, "javascript")).toEqual([]);
  });

  it.each([
    "export const handle = (r) => r;",
    "export async function init() {}",
    "module.exports = (r) => r;",
    "",
  ])("reports a missing handler at 1:1 in `%s`", (code) => {
    expect(problemsOf(code, "javascript")).toEqual([
      { line: 1, column: 1, message: expect.stringContaining("exports no handler") as unknown },
    ]);
  });

  it("reports syntax errors without guessing at the exports", () => {
    expect(problemsOf("export default (r) => {\n  return r +;\n}")).toEqual([
      { line: 2, column: 13, message: "Expression expected." },
    ]);
  });

  it("is importable without the sandbox: compile.ts reaches only typescript and @weir/domain", () => {
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = ts.createSourceFile(
        file,
        readFileSync(new URL(file, import.meta.url), "utf8"),
        ts.ScriptTarget.ES2022,
      );
      for (const statement of source.statements) {
        const specifier =
          (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
          statement.moduleSpecifier &&
          ts.isStringLiteral(statement.moduleSpecifier)
            ? statement.moduleSpecifier.text
            : undefined;
        if (specifier === undefined) continue;
        if (specifier.startsWith(".")) visit(`${specifier}.ts`);
        else external.add(specifier);
      }
    };
    visit("./compile.ts");
    expect([...external].sort()).toEqual(["@weir/domain", "typescript"]);
  });
});
