import ts from "typescript";
import type { CodeProblem, FunctionSource } from "@weir/domain";
import { userError } from "@weir/domain";
import { moduleProblems } from "./module-shape";
import { lineMapFrom } from "./source-map";

export interface CompileResult {
  /** CommonJS JavaScript, ready to evaluate with an `exports`/`module` pair. */
  js: string;
  /** Line in `js` → line in the user's source. */
  lines: Map<number, number>;
  /** Syntax errors, imports and a missing handler export, sorted by position. */
  problems: CodeProblem[];
}

/**
 * Strips types and turns ES module syntax into CommonJS. Only syntax and the module's shape are
 * checked here, with line and column in the user's own source; transpiling keeps lines, so
 * runtime stack lines map back through `lines`.
 *
 * This file is also the `@weir/function-contract/compile` entry point, used by the API to check code
 * without loading the sandbox: it may import only `typescript`, `@weir/domain` and the pure
 * helpers beside it.
 */
export function compile(source: FunctionSource): CompileResult {
  const fileName = source.language === "typescript" ? "function.ts" : "function.js";
  const output = ts.transpileModule(source.code, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      allowJs: true,
      removeComments: false,
      sourceMap: true,
    },
  });
  const syntax = (output.diagnostics ?? []).map((diagnostic) => {
    const { line, character } =
      diagnostic.file && diagnostic.start !== undefined
        ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
        : { line: 0, character: 0 };
    return {
      message: ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"),
      line: line + 1,
      column: character + 1,
    };
  });
  const parsed = ts.createSourceFile(
    fileName,
    source.code,
    ts.ScriptTarget.ES2022,
    true,
    source.language === "typescript" ? ts.ScriptKind.TS : ts.ScriptKind.JS,
  );
  const problems = [...syntax, ...moduleProblems(parsed, { checkExports: syntax.length === 0 })].sort(
    (a, b) => a.line - b.line || a.column - b.column,
  );
  const mappings = output.sourceMapText
    ? (JSON.parse(output.sourceMapText) as { mappings: string }).mappings
    : "";
  const js = output.outputText.replace(/\n\/\/# sourceMappingURL=.*$/, "");
  return { js, lines: lineMapFrom(mappings), problems };
}

/**
 * compile, for a runtime about to run the code: rejects with a user error naming the first
 * problem's line and column (and carrying all of them) when the code cannot run.
 */
export function compileForRun(source: FunctionSource): CompileResult {
  const compiled = compile(source);
  const first = compiled.problems[0];
  if (first) {
    throw userError("FUNCTION_ERROR", `line ${first.line}, column ${first.column}: ${first.message}`, {
      problems: compiled.problems,
    });
  }
  return compiled;
}
