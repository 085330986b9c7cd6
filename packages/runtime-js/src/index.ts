export { jsRuntime } from "./runtime";
export { compile } from "./compile";
export type { CompileResult } from "./compile";
