// Monaco from the app's own bundle, never from a CDN (@monaco-editor/react would fetch it from
// one by default, and Weir runs offline): the module is imported here, handed to the loader, and
// its web workers are built from the package by the bundler. Imported only in the browser.
import { loader } from "@monaco-editor/react";
import * as monaco from "monaco-editor";

declare global {
  interface Window {
    MonacoEnvironment?: monaco.Environment;
  }
}

window.MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    if (label === "typescript" || label === "javascript") {
      return new Worker(new URL("monaco-editor/language/typescript/ts.worker.js", import.meta.url), {
        type: "module",
      });
    }
    return new Worker(new URL("monaco-editor/editor/editor.worker.js", import.meta.url), { type: "module" });
  },
};

loader.config({ monaco });

/** Where the contract lives for TypeScript: `import type { Handler } from "@weir/function"` resolves here. */
const CONTRACT_PATH = "file:///node_modules/@weir/function/index.d.ts";

// Lets a function name the contract's types without importing them: `(record: WeirRecord, ctx: Ctx)`.
const GLOBALS = `import type * as W from "@weir/function";
declare global {
  type JsonValue = W.JsonValue;
  type WeirRecord<Value = W.JsonValue> = W.WeirRecord<Value>;
  type OutputRecord<Value = W.JsonValue> = W.OutputRecord<Value>;
  type Ctx<Params = W.ReadonlyJsonObject> = W.Ctx<Params>;
  type InitContext<Params = W.ReadonlyJsonObject> = W.InitContext<Params>;
  type Handler<Value = W.JsonValue, Params = W.ReadonlyJsonObject> = W.Handler<Value, Params>;
}
export {};
`;

let configured = false;

/** Teaches the TypeScript service the function contract; the first call wins (it never changes). */
export function configureContract(declarations: string): void {
  if (configured) return;
  configured = true;
  const ts = monaco.typescript;
  for (const defaults of [ts.typescriptDefaults, ts.javascriptDefaults]) {
    defaults.setCompilerOptions({
      target: ts.ScriptTarget.ES2020,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.NodeJs,
      // The sandbox has no DOM or Node: only the language and what the contract declares.
      lib: ["es2022"],
      strict: true,
      // An untyped `(record, ctx)` is allowed, as the runtime allows it; typing it (Handler) adds completion.
      noImplicitAny: false,
      allowNonTsExtensions: true,
      checkJs: true,
      noEmit: true,
    });
    defaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false });
    defaults.addExtraLib(declarations, CONTRACT_PATH);
    defaults.addExtraLib(GLOBALS, "file:///weir-globals.d.ts");
    defaults.setEagerModelSync(true);
  }
}

/** Where the open function's `Input` type lives (port-types.ts inputTypeDeclaration). */
const INPUT_PATH = "file:///weir-input.d.ts";
let inputLibs: { dispose(): void }[] = [];
let inputDeclaration = "";

/**
 * Declares the global `Input` (the value type of `Handler<Input>`) for the function now open. One
 * code editor is open at a time, so one declaration serves; opening another node replaces it.
 */
export function setInputType(declaration: string): void {
  if (declaration === inputDeclaration) return;
  inputDeclaration = declaration;
  for (const lib of inputLibs) lib.dispose();
  const ts = monaco.typescript;
  inputLibs = [ts.typescriptDefaults, ts.javascriptDefaults].map((defaults) =>
    defaults.addExtraLib(declaration, INPUT_PATH),
  );
}

export { monaco };
