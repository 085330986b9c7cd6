import ts from "typescript";
import type { CodeProblem, FunctionSource } from "@weir/domain";
import { lineMapFrom } from "./source-map";

export interface CompileResult {
  /** CommonJS JavaScript, ready to evaluate with a `module`/`exports` pair. */
  js: string;
  /** Line in `js` → line in the user's source. */
  lines: Map<number, number>;
  problems: CodeProblem[];
}

/**
 * Strips types and turns ES module syntax into CommonJS. Only syntax is checked here, with
 * line and column in the user's own source; transpiling keeps lines, so runtime stack lines match.
 */
export function compile(source: FunctionSource): CompileResult {
  const output = ts.transpileModule(source.code, {
    fileName: source.language === "typescript" ? "function.ts" : "function.js",
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      allowJs: true,
      removeComments: false,
      sourceMap: true,
    },
  });
  const problems = (output.diagnostics ?? []).map((diagnostic) => {
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
  const mappings = output.sourceMapText
    ? (JSON.parse(output.sourceMapText) as { mappings: string }).mappings
    : "";
  const js = output.outputText.replace(/\n\/\/# sourceMappingURL=.*$/, "");
  return { js, lines: lineMapFrom(mappings), problems };
}
