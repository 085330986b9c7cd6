export { createJsRuntime, jsRuntime } from "./runtime";
export type { BatchesOnThread, JsRuntimeOptions } from "./runtime";
