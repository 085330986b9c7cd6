import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { CONTRACT_MODULE, contractDeclarations } from "./contract";
import { CONTRACT_SAMPLE } from "./contract-sample";

const CONTRACT_FILE = `/node_modules/${CONTRACT_MODULE}/index.d.ts`;

/** Type-checks one function file against the contract, as the editor would (no Node, no DOM). */
function typeErrors(code: string): string[] {
  const files = new Map([
    [CONTRACT_FILE, contractDeclarations()],
    ["/function.ts", code],
  ]);
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2022.d.ts"],
    types: [],
  };
  const libDir = path.dirname(ts.getDefaultLibFilePath(options));
  const base = ts.createCompilerHost(options);
  const host: ts.CompilerHost = {
    ...base,
    fileExists: (name) => files.has(name) || (name.startsWith(libDir) && base.fileExists(name)),
    readFile: (name) => files.get(name) ?? (name.startsWith(libDir) ? base.readFile(name) : undefined),
    getSourceFile: (name, languageVersion) => {
      const text = files.get(name) ?? (name.startsWith(libDir) ? base.readFile(name) : undefined);
      return text === undefined ? undefined : ts.createSourceFile(name, text, languageVersion, true);
    },
    directoryExists: (dir) => [...files.keys()].some((name) => name.startsWith(`${dir}/`)),
    getDirectories: () => [],
    realpath: (name) => name,
    getCurrentDirectory: () => "/",
  };
  const program = ts.createProgram(["/function.ts"], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}

describe("contract declarations", () => {
  it("type-check a function written against them", () => {
    expect(typeErrors(CONTRACT_SAMPLE)).toEqual([]);
  });

  it("type-check an ordered stream", () => {
    const code = `import type { Stream } from "${CONTRACT_MODULE}";
export const stream: Stream<number> = async function* (records, ctx) {
  let sum = 0;
  for await (const record of records) {
    sum += record.value;
    yield [{ value: sum }, { value: ctx.record.timestamp }];
  }
};
`;
    expect(typeErrors(code)).toEqual([]);
  });

  it("reject code that breaks the contract", () => {
    const errors = typeErrors(`import type { Handler } from "${CONTRACT_MODULE}";
const handle: Handler = async (record, ctx) => {
  ctx.state.put("when", new Date());
  ctx.params.limit = 3;
  process.exit(1);
  return { val: record.value };
};
export default handle;
`);
    expect(errors).toHaveLength(4);
    const all = errors.join("\n");
    expect(all).toContain("'Date' is not assignable to parameter of type 'JsonValue'");
    expect(all).toContain("Index signature in type 'ReadonlyJsonObject' only permits reading");
    expect(all).toContain("Cannot find name 'process'");
    expect(all).toContain("'{ val: JsonValue; }' is not assignable");
  });
});
